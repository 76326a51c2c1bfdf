package dbt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteOverwritesOnlyItsOwnFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models", "staging", "synctrack")
	files, err := Files(Input{Dialect: dialect(t, "duckdb"), Schema: "synctrack", Typed: hostileTyped()})
	if err != nil {
		t.Fatal(err)
	}
	written, err := Write(dir, files, false)
	if err != nil || len(written) != len(files) {
		t.Fatalf("first write into a new folder: %v, %d of %d files", err, len(written), len(files))
	}
	// Ours: rewritten without --force.
	if _, err := Write(dir, files, false); err != nil {
		t.Fatalf("second write over its own files: %v", err)
	}

	// A user's file in the way (their own sources.yml, a model they wrote
	// under our name, a folder): refused, naming each, and nothing written.
	theirs := map[string]string{
		SourcesFile:              "version: 2\nsources: []\n",
		ModelFile("sync_log"):    "select 1 -- Written by synctrack dbt, but not on the first line\n",
		ModelFile("load_ledger"): "",
	}
	for n, body := range theirs {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(dir, ModelFile("sync_runs")))
	if err := os.Mkdir(filepath.Join(dir, ModelFile("sync_runs")), 0o755); err != nil {
		t.Fatal(err)
	}
	ours := filepath.Join(dir, ModelFile("sync_records"))
	os.WriteFile(ours, []byte("-- "+Marker+": stale\nselect 1\n"), 0o644)

	_, err = Write(dir, files, false)
	if !errors.Is(err, ErrNotOurs) {
		t.Fatalf("write over a user's files: %v, want ErrNotOurs", err)
	}
	for n := range theirs {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("the error does not name %s: %v", n, err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != theirs[n] {
			t.Errorf("%s changed: %q", n, b)
		}
	}
	if !strings.Contains(err.Error(), ModelFile("sync_runs")) {
		t.Errorf("the error does not name the folder in the way: %v", err)
	}
	if b, _ := os.ReadFile(ours); string(b) != "-- "+Marker+": stale\nselect 1\n" {
		t.Errorf("a file was written although the write was refused: %q", b)
	}

	// --force: the user's files are overwritten (a folder in the way is
	// not: remove it first).
	os.Remove(filepath.Join(dir, ModelFile("sync_runs")))
	if _, err := Write(dir, files, true); err != nil {
		t.Fatalf("forced write: %v", err)
	}
	for n, body := range files {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != string(body) {
			t.Errorf("%s after --force: not the rendered file", n)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestWriteRefusesPathsInNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"../x.sql", "a/b.sql", ".."} {
		if _, err := Write(dir, map[string][]byte{n: []byte("-- " + Marker)}, true); err == nil {
			t.Errorf("%q: written", n)
		}
	}
}
