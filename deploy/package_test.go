package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pkg is one zip `make package` builds.
type pkg struct {
	zip, entry, main string
	machine          elf.Machine
	tags             string
}

var packages = []pkg{
	{"scf.zip", "main", "github.com/faceid-verify/faceid/function/scf", elf.EM_X86_64, ""},
	{"lambda-arm64.zip", "bootstrap", "github.com/faceid-verify/faceid/function/lambda", elf.EM_AARCH64, "lambda.norpc"},
	{"lambda-amd64.zip", "bootstrap", "github.com/faceid-verify/faceid/function/lambda", elf.EM_X86_64, "lambda.norpc"},
}

// TestMakePackage runs `make package` twice into different directories and
// checks that the zips are byte-identical and hold exactly the expected
// static Linux executable. Compiling is cached after the first run, so the
// second costs three links; still, -short skips it.
func TestMakePackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three binaries twice; skipped with -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	deadline := time.Now().Add(8 * time.Minute)
	if dl, ok := t.Deadline(); ok && dl.Add(-10*time.Second).Before(deadline) {
		deadline = dl.Add(-10 * time.Second)
	}
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()

	var dists [2]string
	for i := range dists {
		dists[i] = t.TempDir()
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "package", "DIST="+dists[i])
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make package (run %d): %v\n%s", i+1, err, out)
		}
	}
	for _, p := range packages {
		t.Run(p.zip, func(t *testing.T) {
			first, err := os.ReadFile(filepath.Join(dists[0], p.zip))
			if err != nil {
				t.Fatal(err)
			}
			second, err := os.ReadFile(filepath.Join(dists[1], p.zip))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("two builds of %s differ: the package is not reproducible", p.zip)
			}
			bin := mustSingleEntry(t, first, p.entry)
			checkBinary(t, bin, p)
			// serverless.yml deploys the unzipped directory: it must hold
			// the same binary, and nothing else.
			dir := strings.TrimSuffix(p.zip, ".zip")
			files, _ := os.ReadDir(filepath.Join(dists[0], dir))
			if len(files) != 1 || files[0].Name() != p.entry {
				t.Errorf("%s/ holds %v, want only %s", dir, files, p.entry)
			}
			if plain, _ := os.ReadFile(filepath.Join(dists[0], dir, p.entry)); !bytes.Equal(plain, bin) {
				t.Errorf("%s/%s differs from the zipped binary", dir, p.entry)
			}
		})
	}
}

func mustSingleEntry(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries, want exactly %s", len(zr.File), name)
	}
	f := zr.File[0]
	if f.Name != name {
		t.Errorf("entry %q, want %q", f.Name, name)
	}
	if f.Mode() != 0o755 {
		t.Errorf("entry mode %v, want -rwxr-xr-x (the platform must be able to execute it)", f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkBinary checks what the platform needs of the executable and the
// build flags that make it reproducible.
func checkBinary(t *testing.T, bin []byte, p pkg) {
	t.Helper()
	ef, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("not an ELF executable: %v", err)
	}
	if ef.Machine != p.machine {
		t.Errorf("machine %v, want %v", ef.Machine, p.machine)
	}
	for _, prog := range ef.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Error("dynamically linked: build with CGO_ENABLED=0")
		}
	}
	info, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("build info: %v", err)
	}
	if info.Path != p.main {
		t.Errorf("main package %s, want %s", info.Path, p.main)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
		if strings.HasPrefix(s.Key, "vcs") {
			t.Errorf("build info carries %s: build with -buildvcs=false", s.Key)
		}
	}
	for key, want := range map[string]string{"-trimpath": "true", "CGO_ENABLED": "0", "GOOS": "linux", "-tags": p.tags} {
		if settings[key] != want {
			t.Errorf("build setting %s=%q, want %q", key, settings[key], want)
		}
	}
	// -trimpath keeps -ldflags out of the build info: look at the result.
	for _, sec := range ef.Sections {
		switch {
		case sec.Name == ".symtab" || strings.HasPrefix(sec.Name, ".debug") || strings.HasPrefix(sec.Name, ".zdebug"):
			t.Errorf("section %s present: link with -ldflags='-s -w'", sec.Name)
		case sec.Name == ".note.go.buildid":
			if note, _ := sec.Data(); len(note) > 16 { // a note header and an empty id
				t.Errorf("Go build id present (%d-byte note): link with -buildid=", len(note))
			}
		}
	}
}
