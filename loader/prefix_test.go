package loader_test

import (
	"context"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// A load limited to prefixes loads just those: one run folder, or only facts.
func TestLoadPrefixes(t *testing.T) {
	url, _ := generated(t, smallOptions())
	b := testbucket.Open(t, url)
	w := openWarehouse(t)
	var keys []string
	if err := loader.Discover(context.Background(), b, "", func(o loader.Object) error {
		keys = append(keys, o.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	var folder string
	for _, k := range keys {
		if strings.HasPrefix(k, loader.RunsPrefix) && strings.HasSuffix(k, ".parquet") {
			folder = k[:strings.LastIndexByte(k, '/')+1]
			break
		}
	}

	// The folder twice and inside the runs prefix: each object still once.
	rep, err := loader.New(b, "", w, loader.Options{Prefixes: []string{folder, folder}}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var inFolder int
	for _, k := range keys {
		if strings.HasPrefix(k, folder) {
			inFolder++
		}
	}
	if rep.Listed != inFolder || rep.Files == 0 {
		t.Fatalf("folder load listed %d and loaded %d, want %d listed", rep.Listed, rep.Files, inFolder)
	}
	got := rows(t, w.DB(), `SELECT DISTINCT _file[1:`+strconv.Itoa(len(folder))+`] FROM synctrack.sync_records`)
	if !reflect.DeepEqual(got, []string{folder}) {
		t.Fatalf("records outside the folder loaded: %v", got)
	}
	if n := one(t, w.DB(), `SELECT count(*) FROM synctrack.destinations`); n != "0" {
		t.Fatalf("a folder load loaded facts: %s rows", n)
	}

	rep, err = loader.New(b, "", w, loader.Options{Prefixes: []string{loader.FactsPrefix}}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files == 0 || one(t, w.DB(), `SELECT count(*) FROM synctrack.destinations`) == "0" {
		t.Fatalf("facts load loaded nothing: %+v", rep)
	}
	if n := one(t, w.DB(), `SELECT count(DISTINCT _file[1:`+strconv.Itoa(len(folder))+`]) FROM synctrack.sync_records`); n != "1" {
		t.Fatalf("facts load loaded records: %s folders", n)
	}

	rep, err = loader.New(b, "", w, loader.Options{Prefixes: []string{loader.RunsPrefix, folder}}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Listed == 0 || rep.Listed >= len(keys) {
		t.Fatalf("runs load listed %d of %d objects", rep.Listed, len(keys))
	}
	if n := one(t, w.DB(), `SELECT count(*) - count(DISTINCT (_file, _row)) FROM synctrack.sync_records`); n != "0" {
		t.Fatalf("%s duplicate rows", n)
	}
}
