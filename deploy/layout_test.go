package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLayoutNamesEveryPackage holds the README's layout list to the tree:
// every directory holding Go code, or at the top level, is named there
// (as `dir/` or `dir`, or by its last element after its parent), and every
// path the list names exists.
func TestLayoutNamesEveryPackage(t *testing.T) {
	readme := string(mustRead(t, "README.md"))
	i := strings.Index(readme, "\nLayout (")
	if i < 0 {
		t.Fatal("README.md has no Layout list")
	}
	layout := readme[i:]
	if j := strings.Index(layout, "\n\n- "); j >= 0 {
		layout = layout[:j+2+strings.Index(layout[j+2:], "\n\n")]
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z0-9_./*-]+)`").FindAllStringSubmatch(layout, -1) {
		named[strings.TrimSuffix(m[1], "/")] = true
	}

	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if !d.IsDir() || rel == "." {
			return nil
		}
		base := d.Name()
		if strings.HasPrefix(base, ".") || base == "testdata" || base == "node_modules" || base == "dist" {
			return filepath.SkipDir
		}
		if !strings.Contains(rel, "/") || hasGo(t, path) {
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		parent, base := filepath.Split(dir)
		parent = strings.TrimSuffix(parent, "/")
		switch {
		case named[dir], named[parent+"/*"]:
		case parent != "" && named[base] && (named[parent] || named[filepath.Dir(parent)]):
		default:
			t.Errorf("README.md's layout does not name %s/", dir)
		}
	}
	for p := range named {
		if !strings.Contains(p, "/") || strings.Contains(p, "*") || strings.Contains(p, ".") {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("README.md's layout names %s, which is not in the tree", p)
		}
	}
}

func hasGo(t *testing.T, dir string) bool {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m) > 0
}
