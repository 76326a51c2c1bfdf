package loader_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/badparquet"
	"github.com/synctrack/synctrack/internal/testbucket"
)

// Parquet files whose metadata lies: a footer on which parquet-go panics
// (a schema with -4 children) and a page header asking DuckDB for 2 GiB.
// Each once ended a load (a crash of the process; an out of memory that
// stopped every load after it). Now each fails alone, named, with its
// cause, and every other file loads, on this load and the next.
func TestHostileParquetFailsAlone(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	good, err := os.ReadFile(records[1])
	if err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t) // memory_limit 1GB
	db := w.DB()
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)

	panics, err := badparquet.NegativeChildren(good)
	if err != nil {
		t.Fatal(err)
	}
	huge, err := badparquet.HugePage(good, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Dir(records[0])
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(runDir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		k, _ := filepath.Rel(dir, p)
		return filepath.ToSlash(k)
	}
	panicKey := write("records_updated.96.parquet", panics)
	hugeKey := write("records_updated.97.parquet", huge)
	var unnamed []string // columns no engine can select by name
	for i, name := range []string{"", "ba\xd1ch_started_at", "Note\x00"} {
		b, err := badparquet.RenameColumn(good, []string{"sync_run_id", "batch_started_at", "status_message"}[i], name)
		if err != nil {
			t.Fatal(err)
		}
		unnamed = append(unnamed, write(fmt.Sprintf("records_updated.%d.parquet", 80+i), b))
	}

	b := testbucket.Open(t, url)
	for try := 1; try <= 2; try++ {
		rep := load(t, b, dir, w)
		failed := map[string]string{}
		for _, f := range rep.Failed {
			failed[f.Key] = f.Err.Error()
		}
		if len(failed) != 2+len(unnamed) {
			t.Fatalf("load %d: want the %d hostile files failed, got %v", try, 2+len(unnamed), failed)
		}
		for _, k := range unnamed {
			if msg := failed[k]; !strings.Contains(msg, "has a name no warehouse can select it by") {
				t.Errorf("load %d: %s: %q, want the column's name refused", try, k, msg)
			}
		}
		if msg := failed[panicKey]; !strings.Contains(msg, "corrupt parquet") || !strings.Contains(msg, "slice bounds") {
			t.Errorf("load %d: %s: %q, want a corrupt parquet error", try, panicKey, msg)
		}
		if msg := failed[hugeKey]; !strings.Contains(msg, "Out of Memory") || !strings.Contains(msg, "memory_limit") ||
			!strings.Contains(msg, "out of proportion") {
			t.Errorf("load %d: %s: %q, want DuckDB's out of memory with the hint", try, hugeKey, msg)
		}
		if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != wantRows {
			t.Fatalf("load %d: %s rows loaded, the readable files hold %s", try, got, wantRows)
		}
	}
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file IN (?, ?)`, panicKey, hugeKey); got != "0" {
		t.Fatalf("%s rows of the hostile files loaded", got)
	}
}

// A fact file DuckDB cannot read, beside good files of the same table, fails
// alone: the table is rebuilt from the others, which are not failed with it
// (and so never quarantined for a neighbour's fault).
func TestHostileFactFileFailsAlone(t *testing.T) {
	url, dir := generated(t, smallOptions())
	facts, err := filepath.Glob(filepath.Join(dir, "metadata", "*", "destinations.parquet"))
	if err != nil || len(facts) < 2 {
		t.Fatalf("want destinations files of two orgs, got %v (%v)", facts, err)
	}
	good, err := os.ReadFile(facts[0])
	if err != nil {
		t.Fatal(err)
	}
	huge, err := badparquet.HugePage(good, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(facts[0], huge, 0o644); err != nil {
		t.Fatal(err)
	}
	badKey, _ := filepath.Rel(dir, facts[0])
	badKey = filepath.ToSlash(badKey)
	w := openWarehouse(t)
	db := w.DB()
	var others []string
	for _, f := range facts[1:] {
		others = append(others, "'"+f+"'")
	}
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet([`+strings.Join(others, ", ")+`])`)
	b := testbucket.Open(t, url)
	for try := 1; try <= 2; try++ {
		rep := load(t, b, dir, w)
		var failed []string
		for _, f := range rep.Failed {
			failed = append(failed, f.Key)
		}
		if len(failed) != 1 || failed[0] != badKey {
			for _, f := range rep.Failed {
				t.Logf("load %d: %s failed: %v", try, f.Key, f.Err)
			}
			t.Fatalf("load %d: failed %v, want only %s", try, failed, badKey)
		}
		if got := one(t, db, `SELECT count(*) FROM synctrack.destinations`); got != wantRows {
			t.Fatalf("load %d: destinations has %s rows, the good files hold %s", try, got, wantRows)
		}
	}
}
