package upload

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestTicketRoundTrip(t *testing.T) {
	tk := ticket{expires: 1767225600, maxBytes: 3 << 20, contentType: "image/png"}
	tk.mac = tk.sign([]byte("k"), "uploads/issued/a.png", "110101199003070011", "%E5%BC%A0%E4%B8%89")
	got, ok := parseTicket(tk.String())
	if !ok || got != tk {
		t.Fatalf("parseTicket(%q) = %+v, %v", tk.String(), got, ok)
	}
	for _, bad := range []string{"", "v1", "v2;exp=1;max=1;type=image/png;mac=x", "v1;exp=1;max=0;type=image/png;mac=x",
		"v1;max=1;exp=1;type=image/png;mac=x", "v1;exp=1;max=1;type=image/png;mac=", "v1;exp=1;max=1;type=image/png;mac=x;x=y",
		"v1;exp=one;max=1;type=image/png;mac=x"} {
		if _, ok := parseTicket(bad); ok {
			t.Errorf("parseTicket(%q) accepted", bad)
		}
	}
}

// Every signed field matters, and moving bytes from one field to the next
// changes the MAC.
func TestTicketMACCoversEveryField(t *testing.T) {
	base := ticket{expires: 100, maxBytes: 200, contentType: "image/jpeg"}
	sig := func(t ticket, key, id, name string) string { return t.sign([]byte("mac-key"), key, id, name) }
	want := sig(base, "k", "110101199003070011", "n")
	changed := []string{
		sig(base, "k2", "110101199003070011", "n"),
		sig(base, "k", "110101199003070012", "n"),
		sig(base, "k", "110101199003070011", "m"),
		sig(base, "k1", "10101199003070011", "n"),
		sig(base, "k", "110101199003070011n", ""),
		sig(ticket{expires: 101, maxBytes: 200, contentType: "image/jpeg"}, "k", "110101199003070011", "n"),
		sig(ticket{expires: 100, maxBytes: 201, contentType: "image/jpeg"}, "k", "110101199003070011", "n"),
		sig(ticket{expires: 100, maxBytes: 200, contentType: "image/png"}, "k", "110101199003070011", "n"),
		base.sign([]byte("other-key"), "k", "110101199003070011", "n"),
	}
	for i, c := range changed {
		if c == want {
			t.Errorf("change %d left the MAC unchanged", i)
		}
	}
}

// The MAC key never reaches a log line.
func TestMACKeyIsNotLogged(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("configured", "upload", Config{MACKey: "secret-mac-key-0123456789abcdef01"})
	if strings.Contains(buf.String(), "secret-mac-key") || !json.Valid(buf.Bytes()) {
		t.Errorf("log line: %s", buf.String())
	}
}

func FuzzParseTicket(f *testing.F) {
	f.Add("v1;exp=1767225600;max=3145728;type=image/jpeg;mac=abc")
	f.Add("v1;exp=-1;max=1;type=;mac=x")
	f.Add(";;;;")
	f.Fuzz(func(t *testing.T, s string) {
		tk, ok := parseTicket(s)
		if !ok {
			return
		}
		if tk.maxBytes <= 0 || tk.mac == "" || tk.contentType == "" {
			t.Fatalf("accepted %q as %+v", s, tk)
		}
		if again, ok := parseTicket(tk.String()); !ok || again != tk {
			t.Fatalf("%q: String does not parse back: %+v", s, again)
		}
	})
}
