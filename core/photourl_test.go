package core

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Photo URLs the seller cannot fetch are refused with the reason, before
// any call; public hosts pass. Names are judged by their text alone.
func TestPhotoURLHosts(t *testing.T) {
	tests := []struct {
		url    string
		reason string // "" when accepted
	}{
		{"https://photos.example.com/a.jpg", ""},
		{"http://8.8.8.8/a.jpg", ""},
		{"https://[2606:4700::1111]/a.jpg", ""},
		{"https://photos.example.com./a.jpg", ""}, // a fully qualified name with its root dot
		{"https://photos.example.com:8443/a.jpg", ""},
		{"https://xn--fiqs8s.example/a.jpg", ""},
		{"http://1.2.3.4.example.com/a.jpg", ""},

		{"http://127.0.0.1/", "loopback"},
		{"http://127.0.0.1:9000/a.jpg", "loopback"},
		{"http://127.255.255.254/", "loopback"},
		{"http://[::1]/", "loopback"},
		{"http://[0:0:0:0:0:0:0:1]/", "loopback"},
		{"http://[::ffff:127.0.0.1]/", "loopback"},
		{"http://[::ffff:7f00:1]/", "loopback"},
		{"http://[64:ff9b::127.0.0.1]/", "loopback"}, // NAT64
		{"http://[2002:7f00:1::]/", "loopback"},      // 6to4
		{"http://[::127.0.0.1]/", "loopback"},        // IPv4-compatible
		{"http://localhost/a.jpg", "localhost"},
		{"http://LOCALHOST:8080/a.jpg", "localhost"},
		{"http://localhost./a.jpg", "localhost"},
		{"http://photos.localhost/a.jpg", "localhost"},

		// Spellings URL parsers and fetchers read as IPv4 (WHATWG, inet_aton).
		{"http://0/x", "unspecified_address"},
		{"http://0.0.0.0/", "unspecified_address"},
		{"http://[::]/", "unspecified_address"},
		{"http://2130706433/", "loopback"},
		{"http://017700000001/", "loopback"},
		{"http://0x7f000001/", "loopback"},
		{"http://0X7F.1/", "loopback"},
		{"http://0177.0.0.1/", "loopback"},
		{"http://127.1/", "loopback"},
		{"http://127.0.1/", "loopback"},
		{"http://127.000.000.001/", "loopback"},
		{"http://127.0.0.1./", "loopback"},
		{"http://167772161/", "private_address"}, // 10.0.0.1
		{"http://134744072/", "ip_format"},       // 8.8.8.8, but fetchers disagree on the spelling
		{"http://8.8.2056/", "ip_format"},
		{"http://0x08.8.8.8/", "ip_format"},
		{"http://4294967296/", "ip_format"}, // past 32 bits
		{"http://1.2.3.4.5/", "ip_format"},
		{"http://08.0.0.1/", "ip_format"}, // not octal
		{"http://256.0.0.1/", "ip_format"},
		{"http://example.123/", "ip_format"}, // ends in a number: an IPv4 to a URL parser, and not a valid one

		{"http://10.0.0.1/", "private_address"},
		{"http://172.16.5.4/", "private_address"},
		{"http://192.168.1.1/", "private_address"},
		{"http://[fd00::1]/", "private_address"},
		{"http://[fec0::1]/", "private_address"},
		{"http://[::ffff:10.1.2.3]/", "private_address"},
		{"http://[64:ff9b:1::a00:1]/", "private_address"},
		{"http://169.254.169.254/latest/meta-data/", "link_local"},
		{"http://[fe80::1]/", "link_local"},
		{"http://[fe80::1%25eth0]/", "link_local"},
		{"http://100.64.0.1/", "shared_address"},
		{"http://100.127.255.254/", "shared_address"},
		{"http://224.0.0.1/", "multicast"},
		{"http://[ff02::1]/", "multicast"},
		{"http://255.255.255.255/", "reserved_address"},
		{"http://192.0.2.10/", "reserved_address"},
		{"http://[2001:db8::1]/", "reserved_address"},

		{"http://photos/a.jpg", "single_label"},
		{"http://printer.local/a.jpg", "local_name"},
		{"http://metadata.google.internal/", "local_name"},
		{"http://nas.home.arpa/a.jpg", "local_name"},
		{"http://１２７.0.0.1/", "host_format"}, // full-width digits, folded to 127 by WHATWG parsers
		{"http://例子.测试/a.jpg", "host_format"},
		{"http://a..b.example/", "host_format"},
		{"http://a!b.example.com/", "host_format"},
		{"http://photos.example.com:0/a.jpg", "port"},
		{"http://photos.example.com:65536/a.jpg", "port"},
	}
	lim := Config{}.WithDefaults().Limits()
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			req := Request{Name: "张三", IDCard: testID, URL: tc.url}
			c, err := req.Validate(context.Background(), lim, time.Now())
			if tc.reason == "" {
				if err != nil || c.URL != tc.url {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "url" || ve.Reason != tc.reason {
				t.Fatalf("err = %v (%+v), want url.%s", err, ve, tc.reason)
			}
			if !strings.HasPrefix(ve.Error(), "入参错误,图片url[url]") || ve.English == "" {
				t.Fatalf("not in the seller's style: %q / %q", ve.Error(), ve.English)
			}
		})
	}
}

// With AllowLoopbackURL (a sandbox endpoint), loopback hosts pass and the
// rest is still refused.
func TestPhotoURLLoopbackAllowed(t *testing.T) {
	lim := Config{}.WithDefaults().Limits()
	lim.AllowLoopbackURL = true
	for _, tc := range []struct {
		url    string
		reason string
	}{
		{"http://127.0.0.1:9000/a.jpg", ""},
		{"http://[::1]:9000/a.jpg", ""},
		{"http://localhost:9000/a.jpg", ""},
		{"http://2130706433/", "ip_format"},
		{"http://10.0.0.1/", "private_address"},
		{"http://photos/a.jpg", "single_label"},
	} {
		_, err := Request{Name: "张三", IDCard: testID, URL: tc.url}.Validate(context.Background(), lim, time.Now())
		var ve *ValidationError
		if tc.reason == "" && err != nil || tc.reason != "" && (!errors.As(err, &ve) || ve.Reason != tc.reason) {
			t.Errorf("%s: %v, want %q", tc.url, err, tc.reason)
		}
	}
}

// The option is for the sandbox only: a real endpoint refuses to start
// with it.
func TestAllowLoopbackPhotoURLsNeedsLoopbackEndpoint(t *testing.T) {
	base := Config{SecretID: "id", SecretKey: "sk", AllowLoopbackPhotoURLs: true}
	var ce *ConfigError
	if err := base.WithDefaults().Validate(); !errors.As(err, &ce) || ce.Key != "FACEID_ALLOW_LOOPBACK_PHOTO_URLS" {
		t.Fatalf("real endpoint: %v", err)
	}
	base.Endpoint = "http://127.0.0.1:8081/release/face_id_card/post"
	if err := base.WithDefaults().Validate(); err != nil {
		t.Fatalf("loopback endpoint: %v", err)
	}
}

// A refused URL never reaches the upstream.
func TestRefusedPhotoURLCostsNothing(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	for _, u := range []string{"http://127.0.0.1/", "http://[::1]/", "http://localhost/", "http://10.0.0.1/",
		"http://169.254.169.254/", "http://0/x", "http://photos/a.jpg"} {
		_, err := c.Verify(context.Background(), Request{Name: "张三", IDCard: testID, URL: u})
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "url" || MayHaveReached(err) {
			t.Errorf("%s: %v", u, err)
		}
	}
	if n := up.hits.Load(); n != 0 {
		t.Fatalf("upstream saw %d requests", n)
	}
}

// FuzzCheckURL: no panic; what is accepted has a host that no reading
// (netip, or the loose IPv4 of URL parsers) puts outside public space, and
// accepting is stable.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://photos.example.com/a.jpg", "http://0/x", "http://2130706433/", "http://0x7f.1/",
		"http://[::ffff:127.0.0.1]/", "http://[fe80::1%25eth0]/", "http://localhost./", "http://a.b.c.d.e/",
		"http://1.2.3.4:80/", "http://[2002:a00:1::]/", "http://xn--fiqs8s.example/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := checkURL(raw, 2048, false)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "url" || ve.Reason == "" {
				t.Fatalf("%q: untyped error %v", raw, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q accepted but does not parse: %v", raw, err)
		}
		h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if a, err := netip.ParseAddr(h); err == nil && !publicAddr(a) {
			t.Fatalf("%q accepted with non-public address %v", raw, a)
		}
		labels := strings.Split(h, ".")
		if a, ok := parseLooseIPv4(labels); ok && !publicAddr(a) {
			t.Fatalf("%q accepted, reads as non-public %v", raw, a)
		}
		if h == "localhost" || strings.HasSuffix(h, ".localhost") || !strings.Contains(h, ".") && !strings.Contains(h, ":") {
			t.Fatalf("%q accepted with local host %q", raw, h)
		}
		if again, err := checkURL(got, 2048, false); err != nil || again != got {
			t.Fatalf("%q accepted once, then %v", got, err)
		}
	})
}

// publicAddr is the property the fuzz target holds, said differently from
// checkAddr: the address is global unicast and in no refused range.
func publicAddr(a netip.Addr) bool {
	if v4, ok := embeddedV4(a); ok {
		a = v4
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.Zone() != "" {
		return false
	}
	for _, r := range reservedV4 {
		if r.p.Contains(a) {
			return false
		}
	}
	for _, r := range reservedV6 {
		if r.p.Contains(a) {
			return false
		}
	}
	return true
}
