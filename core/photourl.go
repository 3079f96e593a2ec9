package core

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/faceid-verify/faceid/core/invalid"
)

// The seller fetches a photo URL from its own network, so a URL naming
// this machine, a private network or a name only a local resolver knows
// is a paid call certain to fail (and an invitation to probe the seller's
// network). Such hosts are refused from the URL's text alone: names are
// never resolved, since the function never fetches the URL.

// hostRule is why a host is refused: the error's reason and its wording.
type hostRule struct {
	reason, detail, english string
}

var (
	ruleLoopback    = hostRule{"loopback", "不能指向本机(回环地址)", "the URL's host is a loopback address, which the seller cannot fetch"}
	rulePrivate     = hostRule{"private_address", "不能指向内网地址", "the URL's host is a private-network address, which the seller cannot fetch"}
	ruleLinkLocal   = hostRule{"link_local", "不能指向链路本地地址", "the URL's host is a link-local address, which the seller cannot fetch"}
	ruleUnspecified = hostRule{"unspecified_address", "不能是未指定地址(0.0.0.0或::)", "the URL's host is an unspecified address (0.0.0.0/8 or ::)"}
	ruleMulticast   = hostRule{"multicast", "不能是组播地址", "the URL's host is a multicast address"}
	ruleShared      = hostRule{"shared_address", "不能指向运营商共享地址(100.64.0.0/10)", "the URL's host is a shared address (100.64.0.0/10), which the seller cannot fetch"}
	ruleReserved    = hostRule{"reserved_address", "不能是保留地址", "the URL's host is a reserved or documentation address"}
	ruleIPFormat    = hostRule{"ip_format", "IP地址须写成点分十进制", "write an IPv4 host as four decimal numbers (a.b.c.d): other spellings are read differently by different fetchers"}
	ruleLocalhost   = hostRule{"localhost", "不能是localhost", "the URL's host is localhost, which the seller cannot fetch"}
	ruleLocalName   = hostRule{"local_name", "不能是内网域名(.local/.internal等)", "the URL's host is a local-only name (.local, .internal, .home.arpa), which the seller cannot resolve"}
	ruleSingleLabel = hostRule{"single_label", "须为完整域名", "the URL's host must be a fully qualified domain name, not a single label"}
	ruleHostFormat  = hostRule{"host_format", "主机名格式错误", "the URL's host is not a valid host name (internationalised names must be given as xn-- punycode)"}
	rulePort        = hostRule{"port", "端口无效", "the URL's port must be 1-65535"}
)

func (r hostRule) err() error { return invalid.New("url", r.reason, r.detail, r.english) }

// reservedV4 are IPv4 ranges no public fetcher reaches, beyond what
// netip's predicates name.
var reservedV4 = []struct {
	p    netip.Prefix
	rule hostRule
}{
	{netip.MustParsePrefix("0.0.0.0/8"), ruleUnspecified}, // "this network"; 0 means 0.0.0.0
	{netip.MustParsePrefix("100.64.0.0/10"), ruleShared},  // carrier-grade NAT, RFC 6598
	{netip.MustParsePrefix("192.0.0.0/24"), ruleReserved}, // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), ruleReserved}, // documentation
	{netip.MustParsePrefix("198.18.0.0/15"), ruleReserved},
	{netip.MustParsePrefix("198.51.100.0/24"), ruleReserved},
	{netip.MustParsePrefix("203.0.113.0/24"), ruleReserved},
	{netip.MustParsePrefix("240.0.0.0/4"), ruleReserved}, // includes 255.255.255.255
}

var reservedV6 = []struct {
	p    netip.Prefix
	rule hostRule
}{
	{netip.MustParsePrefix("fec0::/10"), rulePrivate},      // deprecated site-local
	{netip.MustParsePrefix("64:ff9b:1::/48"), rulePrivate}, // local-use NAT64, RFC 8215
	{netip.MustParsePrefix("100::/64"), ruleReserved},      // discard-only
	{netip.MustParsePrefix("2001:db8::/32"), ruleReserved},
}

// checkURLHost refuses a host the seller cannot fetch. With
// allowLoopback, loopback addresses and localhost names pass: the sandbox,
// which fetches from loopback only, stands in for the seller.
func checkURLHost(u *url.URL, allowLoopback bool) error {
	// url.Parse has checked that a port is digits, not its range.
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return rulePort.err()
		}
	}
	h := strings.ToLower(u.Hostname())
	if strings.Contains(h, ":") { // IPv6: the brackets are gone
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" {
			// A zone names an interface of this machine: link-local by nature.
			return ruleLinkLocal.err()
		}
		return checkAddr(a, allowLoopback)
	}
	h = strings.TrimSuffix(h, ".") // "localhost." is localhost
	if h == "" {
		return ruleHostFormat.err()
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" || !validLabel(l) {
			return ruleHostFormat.err()
		}
	}
	// What URL parsers and fetchers read as IPv4 (WHATWG URL, inet_aton):
	// a host whose last label is a number, in decimal, octal or hex, with
	// one to four parts: 0, 127.1, 2130706433, 0x7f.1, 0177.0.0.1.
	if numeric(labels[len(labels)-1]) {
		a, ok := parseLooseIPv4(labels)
		if !ok {
			return ruleIPFormat.err()
		}
		if err := checkAddr(a, allowLoopback); err != nil {
			return err
		}
		if a.String() != h {
			return ruleIPFormat.err()
		}
		return nil
	}
	last := labels[len(labels)-1]
	switch {
	case last == "localhost":
		if allowLoopback {
			return nil
		}
		return ruleLocalhost.err()
	case last == "local" || last == "internal" || strings.HasSuffix(h, ".home.arpa") || h == "home.arpa":
		return ruleLocalName.err()
	case len(labels) == 1:
		return ruleSingleLabel.err()
	}
	return nil
}

// validLabel accepts a DNS label of ASCII letters, digits, '-' and '_'.
// Anything else (non-ASCII, which some fetchers fold to ASCII: "１２７"
// becomes "127") must come as punycode.
func validLabel(l string) bool {
	if len(l) > 63 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// numeric reports whether a label reads as a number to a WHATWG URL
// parser: all decimal digits, or 0x followed by hex digits (or nothing).
func numeric(l string) bool {
	if len(l) >= 2 && l[0] == '0' && l[1] == 'x' {
		for i := 2; i < len(l); i++ {
			if !isHex(l[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(l); i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return l != ""
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// parseLooseIPv4 reads labels as an IPv4 address the way inet_aton and
// the WHATWG URL standard do: each part decimal, octal (leading 0) or hex
// (0x); the last part fills the bytes the others leave.
func parseLooseIPv4(labels []string) (netip.Addr, bool) {
	if len(labels) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, l := range labels {
		base, digits := 10, l
		switch {
		case strings.HasPrefix(l, "0x"):
			base, digits = 16, l[2:]
			if digits == "" {
				digits = "0"
			}
		case len(l) > 1 && l[0] == '0':
			base, digits = 8, l[1:]
		}
		n, err := strconv.ParseUint(digits, base, 64)
		if err != nil {
			return netip.Addr{}, false
		}
		if i < len(labels)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(4-i)) {
			return netip.Addr{}, false
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// checkAddr refuses an address outside the public unicast space,
// including IPv4 carried inside IPv6 (mapped, compatible, NAT64, 6to4).
func checkAddr(a netip.Addr, allowLoopback bool) error {
	if a.Is6() {
		if v4, ok := embeddedV4(a); ok {
			return checkAddr(v4, allowLoopback)
		}
	}
	switch {
	case a.IsLoopback():
		if allowLoopback {
			return nil
		}
		return ruleLoopback.err()
	case a.IsUnspecified():
		return ruleUnspecified.err()
	case a.IsMulticast():
		return ruleMulticast.err()
	case a.IsLinkLocalUnicast():
		return ruleLinkLocal.err()
	case a.IsPrivate():
		return rulePrivate.err()
	}
	if a.Is4() {
		for _, r := range reservedV4 {
			if r.p.Contains(a) {
				return r.rule.err()
			}
		}
		return nil
	}
	for _, r := range reservedV6 {
		if r.p.Contains(a) {
			return r.rule.err()
		}
	}
	return nil
}

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
	compat = netip.MustParsePrefix("::/96")
)

// embeddedV4 returns the IPv4 address an IPv6 address stands for, where
// a translator or the host itself would reach that IPv4 address.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case a.Is4In6():
		return a.Unmap(), true
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixTo4.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	case compat.Contains(a) && !a.IsLoopback() && !a.IsUnspecified():
		return netip.AddrFrom4([4]byte(b[12:16])), true
	}
	return netip.Addr{}, false
}
