package sql

import (
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/synctrack/synctrack/dialects"
)

// testDialects are the dialects these tests render. Engines hand theirs out
// through the warehouse registry, which this package may not import (the
// engines import it); a new engine's dialect joins this list.
var testDialects = []Dialect{dialects.BigQuery{}, dialects.DuckDB{}, dialects.Postgres{}, dialects.Snowflake{}}

// Dialects names the test dialects.
func Dialects() []string {
	var out []string
	for _, d := range testDialects {
		out = append(out, d.Name())
	}
	return out
}

func dialectNamed(t testing.TB, name string) Dialect {
	t.Helper()
	for _, d := range testDialects {
		if d.Name() == name {
			return d
		}
	}
	t.Fatalf("no dialect %q", name)
	return nil
}

// A folder under templates/ is a dialect's overrides: a misspelt folder, or
// an override of no template, would be ignored without a word.
func TestOverridesNameADialectAndATemplate(t *testing.T) {
	if len(Dialects()) < 3 {
		t.Fatalf("dialects: %v", Dialects())
	}
	err := fs.WalkDir(files, dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel := strings.TrimPrefix(p, dir+"/")
		folder, file, nested := strings.Cut(rel, "/")
		switch {
		case !nested && e.IsDir() && !contains(Dialects(), folder):
			t.Errorf("templates/%s names no dialect (%v)", folder, Dialects())
		case !nested && !e.IsDir() && path.Ext(rel) != ".sql":
			t.Errorf("templates/%s is not a template", rel)
		case nested && (e.IsDir() || strings.Contains(file, "/")):
			t.Errorf("templates/%s: overrides are files directly in their dialect's folder", rel)
		case nested:
			if _, err := fs.Stat(files, dir+"/"+file); err != nil {
				t.Errorf("templates/%s overrides no template", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An override replaces the shared text for its dialect only, and must keep
// the shared header: callers know the analysis by it.
func TestOverride(t *testing.T) {
	const header = "-- Counts.\n-- params: sync limit\n"
	fsys := fstest.MapFS{
		"templates/a.sql":           {Data: []byte(header + "SELECT 1\n")},
		"templates/b.sql":           {Data: []byte(header + "SELECT 2\n")},
		"templates/snowflake/a.sql": {Data: []byte(header + "-- Snowflake needs its own.\nSELECT 3\n")},
		"templates/snowflake/b.sql": {Data: []byte("-- Counts.\n-- params: sync\nSELECT 4\n")},
	}
	for _, c := range []struct{ dialect, want string }{{"duckdb", "SELECT 1"}, {"snowflake", "SELECT 3"}} {
		tp, err := lookup(fsys, c.dialect, "a")
		if err != nil || !strings.Contains(tp.Text, c.want) || tp.Dialect != c.dialect {
			t.Errorf("%s: %+v %v", c.dialect, tp, err)
		}
	}
	if _, err := lookup(fsys, "snowflake", "b"); err == nil {
		t.Error("an override with other parameters was accepted")
	}
	if ts, err := list(fsys, "bigquery"); err != nil || len(ts) != 2 {
		t.Errorf("list: %v %v", ts, err)
	}
	// A dialect with no overrides (a new engine's) renders the shared text.
	if tp, err := lookup(fsys, "postgres", "a"); err != nil || !strings.Contains(tp.Text, "SELECT 1") {
		t.Errorf("a new dialect: %+v %v", tp, err)
	}
	if _, err := lookup(fsys, "../templates", "a"); err == nil {
		t.Error("a dialect name that is a path was accepted")
	}
}
