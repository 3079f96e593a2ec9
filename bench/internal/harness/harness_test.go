package harness

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var ds []time.Duration
		for _, x := range v {
			ds = append(ds, time.Duration(x)*time.Millisecond)
		}
		return ds
	}
	ds := ms(5, 1, 4, 2, 3)
	for _, tc := range []struct {
		p    float64
		want int
	}{{50, 3}, {0, 1}, {100, 5}, {99, 5}, {20, 1}, {21, 2}} {
		if got := Percentile(ds, tc.p); got != time.Duration(tc.want)*time.Millisecond {
			t.Errorf("p%v = %v, want %dms", tc.p, got, tc.want)
		}
	}
	if ds[0] != 5*time.Millisecond {
		t.Error("Percentile reordered its argument")
	}
	if Median(nil) != 0 || Median(ms(1, 2)) != time.Millisecond {
		t.Error("median of none or of two")
	}
}

func TestLabel(t *testing.T) {
	for n, want := range map[int]string{33395: "33KB", 500_000: "500KB", 3_000_000: "3MB", 2_500_000: "2.5MB"} {
		if got := Label(n); got != want {
			t.Errorf("Label(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPhoto(t *testing.T) {
	small, err := Photo(SmallPhoto)
	if err != nil {
		t.Fatal(err)
	}
	padded, err := Photo("pad:100000")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Photo("pad:100000")
	if len(padded) != 100000 || !bytes.HasPrefix(padded, small) || !bytes.Equal(padded, again) {
		t.Error("a padded photo is the small one, then reproducible bytes, to the size asked")
	}
	for _, spec := range strings.Split(GoalPhotos, ",") {
		p, err := Photo(spec)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Photo(spec)
		want := map[int]string{0: "33KB", 1: "500KB", 2: "3MB"}[slices.Index(strings.Split(GoalPhotos, ","), spec)]
		if !bytes.Equal(p, again) || Class(len(p)) != want || p[0] != 0xff || p[1] != 0xd8 {
			t.Errorf("%s: %d bytes of class %s, want a reproducible JPEG of class %s", spec, len(p), Class(len(p)), want)
		}
	}
	if _, err := Photo("pad:x"); err == nil {
		t.Error("want an error for a bad size")
	}
}

func TestEvents(t *testing.T) {
	ev := FunctionURLEvent(VerifyJSON([]byte{0xff, 0xd8}), "r1")
	var e struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(ev, &e); err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(e.Body), &body); err != nil || body["image"] != "/9g=" || body["idcard"] != IDCard {
		t.Errorf("body %v: %v", body, err)
	}
	if !Passed([]byte(`{"statusCode":200,"body":"{\"data\":{\"passed\":true}}"}`)) ||
		Passed([]byte(`{"statusCode":200,"body":"{\"data\":{\"passed\":false}}"}`)) {
		t.Error("Passed misreads an answer")
	}
}

func TestProcReadings(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, err := ProcCPU(os.Getpid()); err != nil {
		t.Error(err)
	}
	rss, peak, err := Memory(os.Getpid())
	if err != nil || rss <= 0 || peak < rss {
		t.Errorf("rss %d peak %d: %v", rss, peak, err)
	}
}
