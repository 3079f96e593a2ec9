package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestLinesRecordAndWrite(t *testing.T) {
	for _, format := range []string{FormatJSON, FormatEMF} {
		t.Run(format, func(t *testing.T) {
			reg, err := New(Options{Function: "fn"})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			l := &Lines{Registry: reg, Out: &buf, Format: format}
			l.UpstreamCall("passed", true, true, 20*time.Millisecond)
			l.Avoided("idcard.checksum")
			l.DuplicateSkipped("s3")
			s := reg.Snapshot()
			if s.PossiblyBilledCalls != 1 || s.BilledCalls != 1 || s.AvoidedCalls != 1 || s.DuplicateEvents != 1 {
				t.Fatalf("snapshot %+v", s)
			}
			n := 0
			sc := bufio.NewScanner(&buf)
			for sc.Scan() {
				var m map[string]any
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				if _, emf := m["_aws"]; emf != (format == FormatEMF) {
					t.Fatalf("line %q in the wrong format", sc.Text())
				}
				n++
			}
			if n != 3 {
				t.Fatalf("%d lines, want 3", n)
			}
		})
	}
}
