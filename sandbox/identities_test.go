package sandbox_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/sandbox"
)

func TestDefaultIdentities(t *testing.T) {
	ids := sandbox.DefaultIdentities()
	if err := sandbox.ValidateIdentities(ids, time.Now()); err != nil || len(ids) == 0 {
		t.Fatalf("built-in table: %v (%d rows)", err, len(ids))
	}
	provinces, births, names := map[string]bool{}, map[string]bool{}, map[string]bool{}
	incorrect, code := map[int]bool{}, map[int]bool{}
	scores := map[float64]bool{}
	for _, id := range ids {
		if provinces[id.IDCard[:2]] || births[id.IDCard[6:14]] || names[id.Name] {
			t.Errorf("%s: province, birth date or name not distinct", id.Name)
		}
		provinces[id.IDCard[:2]], births[id.IDCard[6:14]], names[id.Name] = true, true, true
		code[id.Code] = true
		if id.Code == 200 {
			incorrect[id.Incorrect] = true
		}
		if id.Incorrect == 100 {
			scores[id.Score] = true
		}
	}
	for _, c := range []int{100, 103, 104, 106, 107, 108, 109, 110, 111, 112, 113} {
		if !incorrect[c] {
			t.Errorf("no identity answers incorrect %d", c)
		}
	}
	for _, c := range []int{200, 404, 500, 501, 604} {
		if !code[c] {
			t.Errorf("no identity answers code %d", c)
		}
	}
	for _, s := range []float64{0.92, 0.42, 0.21} {
		if !scores[s] {
			t.Errorf("no identity scores %v", s)
		}
	}
	i := slices.IndexFunc(ids, func(id sandbox.Identity) bool { return id.IDCard == zhangID })
	if i < 0 || ids[i] != (sandbox.Identity{IDCard: zhangID, Name: zhang, Code: 200, Incorrect: 100, Score: 0.92, Note: ids[i].Note}) {
		t.Errorf("张三 row: %+v", ids)
	}
	// A fresh copy each time: callers may edit theirs.
	ids[0].Name = "changed"
	if sandbox.DefaultIdentities()[0].Name == "changed" {
		t.Error("DefaultIdentities shares its slice")
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ids.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadIdentities(t *testing.T) {
	p := writeFile(t, `[
		{"idcard": "440305199512120016", "name": "测试甲"},
		{"idcard": "11010119900307002x", "name": "测试乙", "code": 200, "incorrect": 100, "score": 0.3},
		{"idcard": "110101199003070038", "name": "测试丙", "code": 501}
	]`)
	ids, err := sandbox.LoadIdentities(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []sandbox.Identity{
		{IDCard: "440305199512120016", Name: "测试甲", Code: 200, Incorrect: 100},
		{IDCard: "11010119900307002X", Name: "测试乙", Code: 200, Incorrect: 100, Score: 0.3},
		{IDCard: "110101199003070038", Name: "测试丙", Code: 501},
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("loaded %+v\nwant   %+v", ids, want)
	}
	// The loaded table replaces the built-in one.
	h := newHarness(t, sandbox.Config{Identities: ids})
	img := photo(t, "small-320x240.jpg")
	if _, v := h.postForm(form("11010119900307002X", "测试乙", img, "")).envelope(); v.Incorrect != 100 || v.Score != 0.3 {
		t.Errorf("custom row: %+v", v)
	}
	if env, _ := h.postForm(form("110101199003070038", "测试丙", img, "")).envelope(); env.Code != 501 {
		t.Errorf("custom failure row: %+v", env)
	}
	if _, v := h.postForm(form(zhangID, zhang, img, "")).envelope(); v.Incorrect != 102 {
		t.Errorf("built-in row still answered: %+v", v)
	}
}

func TestLoadIdentitiesRejects(t *testing.T) {
	row := func(fields string) string {
		return `[{"idcard":"440305199512120016","name":"测试甲"` + fields + `}]`
	}
	tests := []struct {
		name, content, want string
	}{
		{"not JSON", `{`, "not a JSON array"},
		{"object, not array", `{"idcard":"440305199512120016"}`, "not a JSON array"},
		{"unknown field", row(`,"id_card":"x"`), "unknown field"},
		{"trailing data", row(``) + `]`, "trailing data"},
		{"bad check digit", `[{"idcard":"440305199512120017","name":"甲"}]`, "check digit"},
		{"bad province", `[{"idcard":"990305199512120013","name":"甲"}]`, "province"},
		{"bad birth date", `[{"idcard":"440305199502300013","name":"甲"}]`, "birth date"},
		{"future birth date", `[{"idcard":"44030520990101001X","name":"甲"}]`, "birth date"},
		{"duplicate", `[` + row(``)[1:len(row(``))-1] + `,` + row(``)[1:], "same idcard"},
		{"empty name", `[{"idcard":"440305199512120016","name":" "}]`, "name is empty"},
		{"code 400", row(`,"code":400`), "code 400"},
		{"unknown code", row(`,"code":302`), "not a documented seller code"},
		{"unknown incorrect", row(`,"incorrect":105`), "incorrect 105"},
		{"score above 1", row(`,"score":1.5`), "outside [0, 1]"},
		{"score with another incorrect", row(`,"incorrect":101,"score":0.5`), "only reported with incorrect 100"},
		{"incorrect on a failure", row(`,"code":604,"incorrect":100`), "incorrect must be empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sandbox.LoadIdentities(writeFile(t, tc.content))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "440305199512120016") {
				t.Errorf("err %v spells out an ID number", err)
			}
		})
	}
	if _, err := sandbox.LoadIdentities(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
	big := writeFile(t, "")
	if err := os.Truncate(big, 5<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.LoadIdentities(big); err == nil || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("5 MB file: %v", err)
	}
}

func TestTableSurvivesAnOldClock(t *testing.T) {
	c := &clock{t: time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC)} // before every birth date in the table
	h := newHarness(t, sandbox.Config{Now: c.Now})
	h.clock = c // sign with the same old clock
	if _, v := h.postForm(form(zhangID, zhang, "", "https://example.com/a.jpg")).envelope(); v.Incorrect != 100 {
		t.Errorf("with a 1965 clock: %+v", v)
	}
}

func TestNewSkipsInvalidIdentities(t *testing.T) {
	var logs bytes.Buffer
	ids := []sandbox.Identity{
		{IDCard: "440305199512120017", Name: "坏"}, // bad check digit
		{IDCard: "440305199512120016", Name: "好"},
	}
	h := newHarness(t, sandbox.Config{Identities: ids, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if _, v := h.postForm(form("440305199512120016", "好", photo(t, "small-320x240.jpg"), "")).envelope(); v.Incorrect != 100 {
		t.Errorf("valid row: %+v", v)
	}
	if !strings.Contains(logs.String(), "skipping invalid identity") || strings.Contains(logs.String(), "440305199512120017") {
		t.Errorf("log should report the skip without the ID number:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "440305199512120016") || strings.Contains(logs.String(), "好") {
		t.Errorf("request log holds personal data:\n%s", logs.String())
	}
}

// TestReadmeTableMatches keeps README.md's identity table in step with the
// built-in table.
func TestReadmeTableMatches(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for line := range strings.Lines(string(b)) {
		f := strings.Split(line, "|")
		if len(f) < 4 {
			continue
		}
		if id := strings.TrimSpace(f[1]); len(id) == 18 && strings.Trim(id, "0123456789X") == "" {
			rows = append(rows, id+" "+strings.TrimSpace(f[2]))
		}
	}
	var want []string
	for _, id := range sandbox.DefaultIdentities() {
		want = append(want, id.IDCard+" "+id.Name)
	}
	if !slices.Equal(rows, want) {
		t.Errorf("README rows %v\nwant %v", rows, want)
	}
}
