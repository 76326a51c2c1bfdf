package bigquery

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sql from the current output")

// golden compares SQL texts with testdata/name, one per block.
func golden(t *testing.T, name string, texts []string) {
	t.Helper()
	trimmed := make([]string, len(texts))
	for i, s := range texts {
		trimmed[i] = strings.TrimSuffix(s, ";")
	}
	got := strings.Join(trimmed, ";\n\n") + ";\n"
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
		t.Errorf("SQL differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}
