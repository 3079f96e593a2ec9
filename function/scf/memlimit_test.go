package main

import (
	"math"
	"runtime/debug"
	"strconv"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"115MiB", 115 << 20, true},
		{"230MiB", 230 << 20, true},
		{"1GiB", 1 << 30, true},
		{"4096KiB", 4 << 20, true},
		{"120000000", 120000000, true},
		{"120000000B", 120000000, true},
		{"off", math.MaxInt64, true},
		{"115MB", 0, false}, // the runtime takes binary units only
		{"115 MiB", 0, false},
		{"-1MiB", 0, false},
		{"", 0, false},
		{"MiB", 0, false},
		{"9999999TiB", 0, false},
	} {
		got, err := parseMemoryLimit(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestApplyMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	t.Setenv("GOMEMLIMIT", "bad")
	if err := applyMemoryLimit(); err == nil || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("a bad GOMEMLIMIT: error %v, limit %d; want an error and no limit", err, debug.SetMemoryLimit(-1))
	}
	t.Setenv("GOMEMLIMIT", "115MiB")
	if err := applyMemoryLimit(); err != nil || debug.SetMemoryLimit(-1) != 115<<20 {
		t.Errorf("error %v, limit %d; want 115 MiB", err, debug.SetMemoryLimit(-1))
	}
	// A limit already in force (from the process's start) stays.
	t.Setenv("GOMEMLIMIT", "64MiB")
	if err := applyMemoryLimit(); err != nil || debug.SetMemoryLimit(-1) != 115<<20 {
		t.Errorf("error %v, limit %d; want 115 MiB kept", err, debug.SetMemoryLimit(-1))
	}
}

// FuzzParseMemoryLimit: no input panics, an accepted limit is never
// negative, and a limit written back as plain bytes reads the same.
func FuzzParseMemoryLimit(f *testing.F) {
	for _, s := range []string{"115MiB", "off", "120000000B", "9999999TiB", "1KiB", "", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseMemoryLimit(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("parseMemoryLimit(%q) = %d, negative", s, n)
		}
		if s == "off" {
			return
		}
		if back, err := parseMemoryLimit(strconv.FormatInt(n, 10) + "B"); err != nil || back != n {
			t.Fatalf("parseMemoryLimit(%q) = %d, but %dB reads as %d, %v", s, n, n, back, err)
		}
	})
}
