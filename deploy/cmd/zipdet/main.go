// Command zipdet writes a reproducible zip archive for a function package:
// the same input files give the same bytes, whoever builds them and
// whenever. Entries are sorted by name and carry a fixed timestamp, a fixed
// Unix mode and no owner, so only the files' contents reach the archive.
//
// Usage:
//
//	zipdet -o dist/scf.zip [-mode 0755] [name=]path ...
//
// Each argument adds one file, stored under name (default: the file's base
// name). The archive is written to a temporary file and renamed into place,
// so a failed run never leaves a half-written package behind.
package main

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Epoch is every entry's modification time: the earliest time the zip
// format's MS-DOS date can hold, so unzip tools show nothing odd.
var Epoch = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// File is one archive entry.
type File struct {
	Name string
	Mode fs.FileMode
	Data []byte
}

// Write writes files to w as a deterministic zip: sorted by name, Deflate,
// timestamp Epoch, the given permission bits as a regular Unix file.
func Write(w io.Writer, files []File) error {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	for i, f := range sorted {
		if err := checkName(f.Name); err != nil {
			return err
		}
		if i > 0 && sorted[i-1].Name == f.Name {
			return fmt.Errorf("zipdet: %q given twice", f.Name)
		}
	}
	zw := zip.NewWriter(w)
	for _, f := range sorted {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: Epoch}
		h.SetMode(f.Mode.Perm())
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("zipdet: %s: %w", f.Name, err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return fmt.Errorf("zipdet: %s: %w", f.Name, err)
		}
	}
	return zw.Close()
}

// checkName refuses names that would unpack outside the target directory
// or differently on another system.
func checkName(name string) error {
	switch {
	case name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`):
		return fmt.Errorf("zipdet: invalid entry name %q", name)
	case path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../"):
		return fmt.Errorf("zipdet: entry name %q is not a clean relative path", name)
	}
	return nil
}

// run is main without the process: it parses args, reads the files and
// writes the archive.
func run(args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("zipdet", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "output zip file (required)")
	modeStr := fl.String("mode", "0755", "permission bits of every entry, octal")
	if err := fl.Parse(args); err != nil {
		return err
	}
	mode, err := strconv.ParseUint(*modeStr, 8, 32)
	if err != nil || mode > 0o777 {
		return fmt.Errorf("zipdet: -mode %q is not octal permission bits", *modeStr)
	}
	if *out == "" || fl.NArg() == 0 {
		return fmt.Errorf("zipdet: usage: zipdet -o out.zip [-mode 0755] [name=]path ...")
	}
	var files []File
	for _, arg := range fl.Args() {
		name, src, ok := strings.Cut(arg, "=")
		if !ok {
			name, src = filepath.Base(arg), arg
		}
		info, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("zipdet: %w", err)
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("zipdet: %s is not a regular file", src)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("zipdet: %w", err)
		}
		files = append(files, File{Name: name, Mode: fs.FileMode(mode), Data: data})
	}
	var buf bytes.Buffer
	if err := Write(&buf, files); err != nil {
		return err
	}
	return writeAtomic(*out, buf.Bytes())
}

// writeAtomic replaces path with data via a temporary file in the same
// directory.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".zipdet-*")
	if err != nil {
		return fmt.Errorf("zipdet: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("zipdet: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("zipdet: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("zipdet: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("zipdet: %w", err)
	}
	return nil
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
