package core

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memoryCases are the rewrites that took a 256 MB function past its
// memory: each runs in a fresh process under a GOMEMLIMIT, through the
// path Verify takes (validate on base64 text).
var memoryCases = []struct {
	name, file string
	concurrent int
	// shared: the requests share one body, so only what validation
	// allocates is measured; otherwise each has its own, as over HTTP.
	shared bool
	make   func(tb testing.TB, path string)
}{
	{"png-16bit-6300", "rgba16.png", 1, false, func(tb testing.TB, p string) { writeFlatPNG(tb, p, 6300, 16, false, 128) }},
	{"png-interlaced-6300", "interlaced.png", 1, false, func(tb testing.TB, p string) { writeFlatPNG(tb, p, 6300, 8, true, 160) }},
	{"jpeg-4.4MB-x32", "photo.jpg", 32, false, writeNoisyJPEG},
	{"jpeg-4.4MB-x32-one-body", "photo.jpg", 32, true, writeNoisyJPEG},
}

// BenchmarkPhotoMemory prints the peak RSS (VmHWM) and the peak heap
// (sampled every millisecond) of each case in docs/reliability.md, and
// how its requests ended. Run it alone, without -race:
//
//	go test -run='^$' -bench=BenchmarkPhotoMemory -benchtime=1x ./core/
//
// The processes run under GOMEMLIMIT=115MiB, the deploy files' setting,
// or the GOMEMLIMIT given (230MiB for the figures in docs/reliability.md), and
// read FACEID_* settings (FACEID_DECODE_WAIT, FACEID_DECODE_MEMORY) from
// the environment.
func BenchmarkPhotoMemory(b *testing.B) {
	memLimit := cmp.Or(os.Getenv("GOMEMLIMIT"), "115MiB")
	dir := b.TempDir()
	for _, mc := range memoryCases {
		path := filepath.Join(dir, mc.file)
		if _, err := os.Stat(path); err != nil {
			mc.make(b, path)
		}
		st, _ := os.Stat(path)
		b.Run(mc.name, func(b *testing.B) {
			var out []byte
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestPhotoMemoryChild$", "-test.v")
				cmd.Env = append(os.Environ(), "GOMEMLIMIT="+memLimit, "FACEID_MEMORY_PHOTO="+path,
					"FACEID_MEMORY_CONCURRENT="+strconv.Itoa(mc.concurrent), "FACEID_MEMORY_SHARED="+strconv.FormatBool(mc.shared))
				var err error
				if out, err = cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
			_, line, ok := strings.Cut(string(out), "MEMORY ")
			if !ok {
				b.Fatalf("no figures: %s", out)
			}
			line, _, _ = strings.Cut(line, "\n")
			var rss, heap int64
			var outcome string
			if _, err := fmt.Sscanf(line, "rss=%d heap=%d outcome=%s", &rss, &heap, &outcome); err != nil {
				b.Fatalf("%q: %v", line, err)
			}
			b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(st.Size())/1e6, "photo-MB")
			b.Logf("%s, %d at once, GOMEMLIMIT=%s: %s", mc.name, mc.concurrent, memLimit, outcome)
		})
	}
}

// TestPhotoMemoryChild is BenchmarkPhotoMemory's process; it does nothing
// unless started by it.
func TestPhotoMemoryChild(t *testing.T) {
	path := os.Getenv("FACEID_MEMORY_PHOTO")
	if path == "" {
		t.Skip("started by BenchmarkPhotoMemory only")
	}
	n, _ := strconv.Atoi(os.Getenv("FACEID_MEMORY_CONCURRENT"))
	shared, _ := strconv.ParseBool(os.Getenv("FACEID_MEMORY_SHARED"))
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The two settings this measures, as package config reads them (it
	// cannot be imported here: it imports core).
	cfg := Config{Endpoint: "https://127.0.0.1/", SecretID: "id", SecretKey: "key"}
	cfg.DecodeMemory, _ = strconv.ParseInt(os.Getenv("FACEID_DECODE_MEMORY"), 10, 64)
	cfg.DecodeWait, _ = time.ParseDuration(os.Getenv("FACEID_DECODE_WAIT"))
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	lim := c.Limits()
	// The base64 text is the request's body.
	texts := make([]string, n)
	for i := range texts {
		texts[i] = base64.StdEncoding.EncodeToString(img)
		if shared && i > 0 {
			texts[i] = texts[0]
		}
	}
	img = nil
	stop, peak := sampleHeap()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		outcomes = map[string]int{}
	)
	for i := range texts {
		wg.Go(func() {
			scratch := new([]byte)
			_, err := Request{Name: "张三", IDCard: testID, ImageBase64: texts[i]}.validate(context.Background(), lim, time.Now(), scratch, true)
			mu.Lock()
			defer mu.Unlock()
			outcomes[outcomeOf(err)]++
		})
	}
	wg.Wait()
	stop()
	fmt.Printf("MEMORY rss=%d heap=%d outcome=%s\n", peakRSS(t), *peak, fmtOutcomes(outcomes))
}

func outcomeOf(err error) string {
	if err == nil {
		return "ok"
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Field + "." + ve.Reason
	}
	return Classify(nil, err).Outcome
}

func fmtOutcomes(m map[string]int) string {
	var s []string
	for k, v := range m {
		s = append(s, k+":"+strconv.Itoa(v))
	}
	return strings.Join(s, ",")
}

// sampleHeap records the largest live-and-unswept heap seen every
// millisecond until stop is called.
func sampleHeap() (stop func(), peak *int64) {
	peak = new(int64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, int64(s[0].Value.Uint64()))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}

// peakRSS is the process's VmHWM.
func peakRSS(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc: peak RSS unknown")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// writeFlatPNG writes a side×side RGBA PNG of the given depth, interlaced
// or not, whose rows are flat but for `noisy` random bytes each: a
// photo-sized file (about 4 MB) that decodes to hundreds of MB. Rows are
// compressed as they are made, so the writer never holds the image.
func writeFlatPNG(tb testing.TB, path string, side, depth int, interlaced bool, noisy int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	chunk := func(typ string, data []byte) {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(append(c, typ...), data...)
		if _, err := f.Write(binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))); err != nil {
			tb.Fatal(err)
		}
	}
	f.WriteString("\x89PNG\r\n\x1a\n")
	il := byte(0)
	if interlaced {
		il = 1
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(side))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(side))
	chunk("IHDR", append(ihdr, byte(depth), 6, 0, 0, il))
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	r := rand.New(rand.NewPCG(uint64(side), uint64(depth)))
	rows := func(w, h int) {
		row := make([]byte, 1+w*depth/2) // filter byte, then 4 channels
		for range h {
			clear(row)
			for range noisy * w / side {
				row[1+r.IntN(len(row)-1)] = byte(r.Uint32())
			}
			zw.Write(row)
		}
	}
	if !interlaced {
		rows(side, side)
	} else {
		for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			rows((side-p[0]+p[2]-1)/p[2], (side-p[1]+p[3]-1)/p[3])
		}
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
}

// writeNoisyJPEG writes a 12-megapixel 4:2:0 JPEG of about 4.4 MB, as a
// phone takes them: over the 3 MB limit, so it is rewritten.
func writeNoisyJPEG(tb testing.TB, path string) {
	tb.Helper()
	const w, h = 4000, 3000
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			m.Y[y*m.YStride+x] = byte((x/16+y/12)%200 + r.IntN(32))
		}
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = byte(100+i%50), byte(140-i%40)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}
