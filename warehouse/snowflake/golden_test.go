package snowflake

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sql from the current output")

// golden compares statements with testdata/name, one statement per block.
func golden(t *testing.T, name string, stmts []string) {
	t.Helper()
	got := strings.Join(stmts, ";\n\n") + ";\n"
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("statements differ from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}
