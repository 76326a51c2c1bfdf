package loader_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// A fact file loaded before whose new version is half-written (found by a
// review: the rebuild left that org with no rows) keeps the rows of the
// version loaded, but for an id a newer file gives again; once the bad
// version is quarantined and another file of the table changes, its rows
// still stay.
func TestFactRowsKeptWhileTheirNewVersionFails(t *testing.T) {
	url, dir := generated(t, smallOptions())
	org := "1001"
	bad := filepath.Join(dir, "metadata", org, "destinations.parquet")
	other := filepath.Join(dir, "metadata", "1002", "destinations.parquet")
	w := openWarehouse(t)
	db := w.DB()
	b := testbucket.Open(t, url)
	ld := loader.New(b, dir, w, loader.Options{BatchFiles: 7, QuarantineAfter: 2})
	loadOnce := func(what string) *loader.Report {
		t.Helper()
		rep, err := ld.Load(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return rep
	}
	loadOnce("first load")
	count := func(q string) string { t.Helper(); return one(t, db, q) }
	before := count(`SELECT count(*) FROM synctrack.destinations WHERE org_id = '` + org + `'`)
	if before == "0" || before == "1" {
		t.Fatalf("premise: org %s has %s destinations", org, before)
	}
	// A second file of the org gives one of its ids again, renamed.
	mem := memDuckDB(t)
	if _, err := mem.Exec(`COPY (SELECT * REPLACE ('renamed' AS name) FROM read_parquet('` + bad + `') ORDER BY id LIMIT 1) TO '` +
		filepath.Join(dir, "metadata", org, "destinations.1.parquet") + `'`); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	badKey := "metadata/" + org + "/destinations.parquet"
	rep := loadOnce("load with the half-written file")
	if len(rep.Failed) != 1 || rep.Failed[0].Key != badKey {
		t.Fatalf("failed %v, want %s alone", rep.Failed, badKey)
	}
	orgRows := `SELECT count(*) FROM synctrack.destinations WHERE org_id = '` + org + `'`
	if got := count(orgRows); got != before {
		t.Errorf("org %s has %s destinations, want the %s of the version loaded", org, got, before)
	}
	if got := count(`SELECT count(*) FROM synctrack.destinations WHERE org_id = '` + org + `' AND name = 'renamed'`); got != "1" {
		t.Errorf("%s rows renamed by the newer file, want 1 (its id not kept twice)", got)
	}
	if got := count(`SELECT count(*) FROM (SELECT id FROM synctrack.destinations WHERE org_id = '` + org +
		`' GROUP BY id HAVING count(*) > 1)`); got != "0" {
		t.Errorf("%s ids twice in org %s", got, org)
	}

	loadOnce("second try")
	if got := count(`SELECT status FROM synctrack.load_ledger WHERE key = '` + badKey + `' AND status <> 'loaded'`); got != "quarantined" {
		t.Fatalf("the bad version is %s, want quarantined", got)
	}
	if _, err := mem.Exec(`COPY (SELECT * FROM read_parquet('` + other + `') LIMIT 1) TO '` + other + `.tmp' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other+".tmp", other); err != nil {
		t.Fatal(err)
	}
	rep = loadOnce("load of another org's new file")
	if rep.Files != 1 || len(rep.Failed) != 0 {
		t.Fatalf("loaded %d files, failed %v; want the other org's file alone", rep.Files, rep.Failed)
	}
	if got := count(`SELECT count(*) FROM synctrack.destinations WHERE org_id = '1002'`); got != "1" {
		t.Errorf("org 1002 has %s destinations, its new file 1", got)
	}
	if got := count(orgRows); got != before {
		t.Errorf("with the bad version quarantined, org %s has %s destinations, had %s", org, got, before)
	}
}
