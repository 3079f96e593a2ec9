// Package mask decides how personal data may appear in logs and results: ID
// numbers, names and what object keys hold of them are shown only partly,
// enough for a person to recognise their own record and for an operator to
// tell requests apart, never enough to identify someone.
//
// Masking works on runes, not bytes, so multi-byte names are never cut in the
// middle of a character, and the output is always valid UTF-8 (invalid bytes
// count as one rune each and come out as '*'). A revealed rune that is not
// printable (a newline, a control character) is masked too, so a masked value
// cannot break or forge a log line.
package mask

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// idLen is the length of a resident ID number, the case the rule is
	// built around: 3 head + 11 masked + 4 tail reveals the province and
	// city, and the sequence and check digit, but never the county or the
	// birth date.
	idLen  = 18
	idHead = 3
	idTail = 4
	// idMin is the shortest value that reveals anything; below it every
	// rune is masked (a few revealed characters of a short value are too
	// large a share of it).
	idMin = 8
)

// ID masks an ID number (or whatever was typed into the ID field):
//
//   - 18 runes or more: the first 3 and last 4 runes are kept, the rest
//     replaced by '*' (110101199003070011 → 110***********0011);
//   - 8 to 17 runes: at most 7/18 of the runes are revealed, the same share
//     as for 18, split 3:7 between head and tail (15 runes → 2 head,
//     3 tail; 8 runes → 1 head, 2 tail);
//   - fewer than 8 runes: every rune is masked.
//
// The output always has as many runes as the input.
func ID(s string) string {
	n := utf8.RuneCountInString(s)
	var head, tail int
	switch {
	case n >= idLen:
		head, tail = idHead, idTail
	case n >= idMin:
		// Integer division rounds the revealed share down, never up.
		shown := n * (idHead + idTail) / idLen
		head = shown * idHead / (idHead + idTail)
		tail = shown - head
	}
	return keep(s, n, head, tail)
}

// Name masks a person's name, keeping only its first rune: 张三 → 张*,
// 欧阳娜娜 → 欧***, Anna Lee → A*******. A one-rune name is masked
// entirely, since its first rune is all of it. Spaces and separators are
// masked like letters so the shape of the name is not revealed either.
func Name(s string) string {
	n := utf8.RuneCountInString(s)
	if n < 2 {
		return keep(s, n, 0, 0)
	}
	return keep(s, n, 1, 0)
}

// keep returns s (n runes long) with all but the first head and last tail
// runes replaced by '*'.
func keep(s string, n, head, tail int) string {
	out := make([]rune, 0, n)
	i := 0
	for _, r := range s {
		// range yields utf8.RuneError for each invalid byte, so invalid
		// input is masked rather than copied.
		show := (i < head || i >= n-tail) && r != utf8.RuneError && unicode.IsPrint(r)
		if show {
			out = append(out, r)
		} else {
			out = append(out, '*')
		}
		i++
	}
	return string(out)
}

// keyDigits is the shortest run of digits Key masks: a mainland mobile
// number has 11, an ID number 15 or 18.
const keyDigits = 11

// Key masks what may identify a person in an object key (or any text
// that quotes one, such as an error naming the object): every run of
// keyDigits or more digits, with an 'X' check character after it, as ID
// masks it, and every run of letters outside ASCII (a name in Chinese
// characters) as Name does. Everything else is kept, so an operator can
// still tell uploads/2b0c….jpg from uploads/9f41….jpg. Keys are chosen by
// uploaders, who are asked to keep personal data out of them; this is for
// those who do not.
func Key(s string) string { return runs(s, true) }

// Text masks what may identify a person in free text that may quote a
// request, such as an upstream's error message: every run of keyDigits or
// more digits as Key masks it, and every occurrence of the given names as
// Name masks them. Unlike Key it keeps other text, Chinese included, so
// the message stays readable; a name it is not given is not found.
func Text(s string, names ...string) string {
	for _, n := range names {
		if n != "" {
			s = strings.ReplaceAll(s, n, Name(n))
		}
	}
	return runs(s, false)
}

// runs masks digit runs and, with letters, runs of letters outside ASCII.
func runs(s string, letters bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case unicode.IsDigit(r):
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsDigit(r) {
					if r == 'X' || r == 'x' {
						j += size
					}
					break
				}
				j += size
			}
			if utf8.RuneCountInString(s[i:j]) >= keyDigits {
				b.WriteString(ID(s[i:j]))
				i = j
				continue
			}
		case letters && r >= utf8.RuneSelf && unicode.IsLetter(r):
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if r < utf8.RuneSelf || !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			b.WriteString(Name(s[i:j]))
			i = j
			continue
		}
		b.WriteString(s[i:j])
		i = j
	}
	return b.String()
}
