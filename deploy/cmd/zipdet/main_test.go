package main

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func mustWrite(t *testing.T, files []File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, files); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteIsDeterministic(t *testing.T) {
	a := File{Name: "main", Mode: 0o755, Data: bytes.Repeat([]byte("binary "), 1000)}
	b := File{Name: "README", Mode: 0o755, Data: []byte("hello")}
	first := mustWrite(t, []File{a, b})
	// Input order must not matter, nor when the archive is made.
	second := mustWrite(t, []File{b, a})
	if !bytes.Equal(first, second) {
		t.Fatal("same files in another order gave different bytes")
	}

	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Mode() != 0o755 {
			t.Errorf("%s: mode %v, want -rwxr-xr-x", f.Name, f.Mode())
		}
		if !f.Modified.Equal(Epoch) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, Epoch)
		}
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want deflate", f.Name, f.Method)
		}
	}
	if len(names) != 2 || names[0] != "README" || names[1] != "main" {
		t.Errorf("entries %q, want sorted [README main]", names)
	}
}

func TestWriteRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "/etc/passwd", "../main", "a/../../b", `dir\main`, "./main", "a//b"} {
		if err := Write(io.Discard, []File{{Name: name, Mode: 0o755}}); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	dup := []File{{Name: "main", Mode: 0o755}, {Name: "main", Mode: 0o644}}
	if err := Write(io.Discard, dup); err == nil {
		t.Error("duplicate name accepted")
	}
}

// TestRunIgnoresFileMetadata builds the same content from two files with
// different modification times and permissions: the archives must match.
func TestRunIgnoresFileMetadata(t *testing.T) {
	dir := t.TempDir()
	content := []byte("\x7fELF pretend binary")
	one := filepath.Join(dir, "one", "bootstrap")
	two := filepath.Join(dir, "two", "bootstrap")
	for i, p := range []string{one, two} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, fs.FileMode(0o600+i*0o100)); err != nil {
			t.Fatal(err)
		}
		mtime := time.Date(2001+i*20, 5, 6, 7, 8, 9, 0, time.UTC)
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	outs := []string{filepath.Join(dir, "one.zip"), filepath.Join(dir, "two.zip")}
	for i, src := range []string{one, two} {
		if err := run([]string{"-o", outs[i], src}, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadFile(outs[0])
	b, _ := os.ReadFile(outs[1])
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("archives of the same content differ")
	}
	zr, err := zip.OpenReader(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode() != 0o755 {
		t.Fatalf("want one entry bootstrap 0755, got %d entries, first %q %v",
			len(zr.File), zr.File[0].Name, zr.File[0].Mode())
	}
	rc, _ := zr.File[0].Open()
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, content) {
		t.Error("entry content differs from the file")
	}
}

func TestRunArguments(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "build-output")
	os.WriteFile(src, []byte("x"), 0o644)
	out := filepath.Join(dir, "out.zip")
	if err := run([]string{"-o", out, "main=" + src}, io.Discard); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if zr.File[0].Name != "main" {
		t.Errorf("name=path stored as %q, want main", zr.File[0].Name)
	}
	for name, args := range map[string][]string{
		"no output":      {src},
		"no files":       {"-o", out},
		"bad mode":       {"-o", out, "-mode", "9", src},
		"missing file":   {"-o", out, filepath.Join(dir, "nope")},
		"directory":      {"-o", out, dir},
		"mode too large": {"-o", out, "-mode", "7777", src},
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("%s: accepted %q", name, args)
		}
	}
}
