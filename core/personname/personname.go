// Package personname normalises and validates the name sent with a
// verification.
//
// The upstream compares the name with the one registered to the ID number,
// and every call is paid for, so a name that cannot be anyone's registered
// name (digits, symbols, emoji, stray punctuation) is rejected here, and
// harmless typing variants (surrounding spaces, the many middle dots of
// minority names such as 买买提•艾力, repeated spaces) are normalised so they
// do not cause a false mismatch. Letters themselves are never changed: no
// case folding, no transliteration.
//
// A name is Han words or Latin words, never both. Han words may only be
// joined by a middle dot (·, U+00B7); Latin words by a single space, a
// hyphen, an apostrophe or a middle dot. A separator always stands between
// two words.
//
// Errors are *invalid.Error on field "name" and never contain the name.
package personname

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/invalid"
)

// maxLength is the longest name accepted, in runes after normalisation.
const maxLength = 64

// The normalised separators.
const (
	dot        = '·' // U+00B7 MIDDLE DOT, what ID records use in minority names
	space      = ' '
	hyphen     = '-'
	apostrophe = '\''
)

// separators maps every accepted separator character to its normal form.
var separators = map[rune]rune{
	'·':      dot,
	'•':      dot, // U+2022 BULLET, common from Chinese IMEs
	'・':      dot, // U+30FB KATAKANA MIDDLE DOT
	'‧':      dot, // U+2027 HYPHENATION POINT
	'.':      dot,
	'．':      dot, // U+FF0E FULLWIDTH FULL STOP
	'-':      hyphen,
	'\'':     apostrophe,
	'\u2019': apostrophe, // RIGHT SINGLE QUOTATION MARK, from smart-quote keyboards
}

func fail(reason, detail, english string) error {
	return invalid.New("name", reason, detail, english)
}

// Errors are built per call: an *invalid.Error is mutable and shared ones
// could be changed by a caller.
func errSeparator() error {
	return fail("separator", "分隔符位置错误", "separators must stand singly between two words")
}

func errChar() error {
	return fail("invalid_char", "包含非法字符", "name may contain only Chinese characters, Latin letters and separators")
}

// Normalize trims s, validates it as a person's name and returns it in
// normal form: separators replaced by their normal form (see the package
// comment), runs of spaces collapsed to one, full-width Latin letters
// (Ａ–Ｚ, ａ–ｚ) replaced by ASCII ones. It is idempotent.
func Normalize(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fail("encoding", "编码错误,须为UTF-8", "name is not valid UTF-8")
	}
	s = strings.TrimFunc(s, unicode.IsSpace) // includes U+3000 and U+00A0
	if s == "" {
		return "", fail("missing", "不能为空", "name is required")
	}
	var (
		b         strings.Builder
		han, latn bool // scripts seen
		nonDot    bool // a separator other than the dot seen
		prevSep   rune // the last rune written if a separator, else 0
		n         int  // runes written
	)
	b.Grow(len(s))
	for _, r := range s {
		sep, isSep := separators[r]
		if unicode.IsSpace(r) && !unicode.IsControl(r) {
			sep, isSep = space, true
		}
		switch {
		case isSep:
			if sep == space && prevSep == space {
				continue // collapse runs of spaces
			}
			if prevSep != 0 || n == 0 {
				return "", errSeparator() // double or leading
			}
			nonDot = nonDot || sep != dot
			prevSep = sep
			b.WriteRune(sep)
			n++
			continue
		case isHan(r):
			han = true
		case isLatin(r):
			latn = true
			if 'Ａ' <= r && r <= 'Ｚ' || 'ａ' <= r && r <= 'ｚ' {
				r -= 'Ａ' - 'A' // same offset for both cases
			}
		case r == utf8.RuneError:
			// Valid UTF-8 spelling U+FFFD: the name was mangled upstream
			// of us by a failed decoding.
			return "", fail("encoding", "编码错误,须为UTF-8", "name contains U+FFFD, a sign of a decoding error")
		case unicode.IsNumber(r):
			return "", fail("digit", "不能包含数字", "name must not contain digits")
		default:
			// Controls, invisible format characters, combining marks,
			// symbols, emoji, punctuation and other scripts.
			return "", errChar()
		}
		prevSep = 0
		b.WriteRune(r)
		n++
	}
	if prevSep != 0 {
		return "", errSeparator() // trailing (spaces were trimmed already)
	}
	if han && latn {
		return "", fail("mixed_script", "不能同时包含汉字和字母", "name must not mix Chinese characters and Latin letters")
	}
	if han && nonDot {
		// Chinese names are written solid; only minority names have a dot.
		return "", errSeparator()
	}
	if n > maxLength {
		return "", fail("too_long", "长度超过64个字符", "name is longer than 64 characters")
	}
	return b.String(), nil
}

// isHan reports whether r is a Chinese character. Han-script symbols such as
// the Kangxi radicals (look-alikes pasted from PDFs, never in a registered
// name) are not letters and are excluded; 〇 is a letter number and included.
func isHan(r rune) bool {
	return unicode.Is(unicode.Han, r) && (unicode.IsLetter(r) || r == '〇')
}

// isLatin reports whether r is a Latin letter, accented ones included.
// Modifier letters (superscripts such as ᵃ) are not part of names.
func isLatin(r rune) bool {
	return unicode.Is(unicode.Latin, r) && unicode.IsLetter(r) && !unicode.Is(unicode.Lm, r)
}
