package duckdb_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A batch's odd shapes are read before its main one: their few files are
// the ones a cast can fail, and failing first spares the loader reading the
// batch's rows twice (11 s instead of 3.5 s for one such file among 640).
// Each INSERT says which files it read, and an object without a local copy
// (an empty one) is in none.
func TestInsertsOfFewestFilesFirst(t *testing.T) {
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	file := func(key, shape string) warehouse.File {
		f := warehouse.File{Local: "/staged/" + key, Shape: shape}
		f.Key = key
		return f
	}
	empty := file("e", "")
	empty.Local = ""
	files := []warehouse.File{file("a", ""), file("b", ""), file("t", "batch_started_at\x00text\x00"), file("c", ""),
		empty, file("u", "identifier\x00uuid\x00"), file("v", "identifier\x00uuid\x00")}
	got := duckdb.InsertOrder(w, files)
	want := [][]string{{"t"}, {"u", "v"}, {"a", "b", "c"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("INSERTs read %v, want %v", got, want)
	}
}
