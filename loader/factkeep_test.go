package loader_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A fact file loaded before whose new version is half-written (found by a
// review: the rebuild left that org with no rows) keeps the rows of the
// version loaded: an id a file new since then gives again is the new
// file's, one an older file gives stays the kept row's (found by a second
// review). Once the bad version is quarantined and another file of the
// table changes, its rows still stay, and a column whose type that file
// changes (a struct, now text) loads as text instead of failing the file
// for the kept rows' sake (found by the second review too).
func TestFactRowsKeptWhileTheirNewVersionFails(t *testing.T) {
	url, dir := generated(t, smallOptions())
	org := "1001"
	bad := filepath.Join(dir, "metadata", org, "destinations.parquet")
	older := filepath.Join(dir, "metadata", org, "destinations.0.parquet")
	other := filepath.Join(dir, "metadata", "1002", "destinations.parquet")
	mem := memDuckDB(t)
	copyTo := func(q, to string) {
		t.Helper()
		if _, err := mem.Exec(`COPY (` + q + `) TO '` + to + `.tmp' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(to+".tmp", to); err != nil {
			t.Fatal(err)
		}
	}
	// An older file of the org gives the newest's first id, stale; the
	// other org's file has a struct column.
	copyTo(`SELECT * REPLACE ('stale' AS name) FROM read_parquet('`+bad+`') ORDER BY id LIMIT 1`, older)
	copyTo(`SELECT *, {'k': 1} AS extra FROM read_parquet('`+other+`')`, other)
	now := time.Now()
	for f, age := range map[string]time.Duration{older: 2 * time.Hour, bad: time.Hour, other: time.Hour} {
		if err := os.Chtimes(f, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
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
	if before == "0" || before == "1" || before == "2" {
		t.Fatalf("premise: org %s has %s destinations", org, before)
	}
	stale := `SELECT count(*) FROM synctrack.destinations WHERE name = 'stale'`
	if got := count(stale); got != "0" {
		t.Fatalf("premise: the older file's stale row won (%s)", got)
	}
	// A file new since then gives the org's last id again, renamed.
	copyTo(`SELECT * REPLACE ('renamed' AS name) FROM read_parquet('`+bad+`') ORDER BY id DESC LIMIT 1`,
		filepath.Join(dir, "metadata", org, "destinations.1.parquet"))
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
	if got := count(stale); got != "0" {
		t.Errorf("the older file's row replaced the kept one: %s stale rows", got)
	}

	loadOnce("second try")
	if got := count(`SELECT status FROM synctrack.load_ledger WHERE key = '` + badKey + `' AND status <> 'loaded'`); got != "quarantined" {
		t.Fatalf("the bad version is %s, want quarantined", got)
	}
	copyTo(`SELECT * REPLACE ('now text' AS extra) FROM read_parquet('`+other+`') LIMIT 1`, other)
	rep = loadOnce("load of another org's new file")
	if rep.Files != 1 || len(rep.Failed) != 0 {
		t.Fatalf("loaded %d files, failed %v; want the other org's file alone", rep.Files, rep.Failed)
	}
	if got := count(`SELECT count(*) FROM synctrack.destinations WHERE org_id = '1002' AND extra = 'now text'`); got != "1" {
		t.Errorf("org 1002 has %s destinations with its new text, its new file 1", got)
	}
	if got := count(orgRows); got != before {
		t.Errorf("with the bad version quarantined, org %s has %s destinations, had %s", org, got, before)
	}
}

// Kept fact rows whose column types a new file changes in ways DuckDB
// cannot unite without failing or rounding (a BIGINT against a
// DECIMAL(38,20), a DECIMAL(10,2) against a DECIMAL(38,0)), or whose
// column a new file names in another non-ASCII case ("Région", "RÉGION":
// two columns to DuckDB), never fail the new file nor change a kept value
// (found by a review).
func TestKeptFactRowsMeetOtherTypes(t *testing.T) {
	url, dir := testbucket.Dir(t)
	mem := memDuckDB(t)
	write := func(org, sel string) string {
		t.Helper()
		d := filepath.Join(dir, "metadata", org)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, "destinations.parquet")
		if _, err := mem.Exec(`COPY (SELECT '` + org + `' AS id, 'T' AS type, ` + sel + `) TO '` + p + `.tmp' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	kept := write("1001", `'a' AS name, 1234567890123456789::BIGINT AS amount, 1.25::DECIMAL(10,2) AS price, 'x' AS "Région", `+
		`1.25::DECIMAL(10,2) AS box`)
	write("1002", `'b' AS name`)
	w := openWarehouse(t)
	db := w.DB()
	load(t, testbucket.Open(t, url), dir, w)
	data, err := os.ReadFile(kept)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kept, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	// With nothing new to load, the table stays as it is: the kept row
	// keeps the column only its file has.
	if rep := load(t, testbucket.Open(t, url), dir, w); len(rep.Failed) != 1 {
		t.Fatalf("failed %v, want the half-written file", rep.Failed)
	}
	if got := one(t, db, `SELECT "Région" FROM synctrack.destinations WHERE org_id = '1001'`); got != "x" {
		t.Errorf("the kept row's own column: %q, want x", got)
	}
	write("1002", `'b2' AS name, 1.5::DECIMAL(38,20) AS amount, 7::DECIMAL(38,0) AS price, 'y' AS "RÉGION", `+
		`{'a': 7::DECIMAL(12,2)} AS box`)
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) != 1 || rep.Failed[0].Key != "metadata/1001/destinations.parquet" {
		t.Fatalf("failed %v, want the half-written file alone", rep.Failed)
	}
	if got := one(t, db, `SELECT name FROM synctrack.destinations WHERE org_id = '1002'`); got != "b2" {
		t.Errorf("the new file's row: %q, want b2", got)
	}
	if got := one(t, db, `SELECT CAST(amount AS VARCHAR) || ' ' || CAST(price AS VARCHAR) || ' ' || CAST(box AS VARCHAR) FROM synctrack.destinations WHERE org_id = '1001'`); got != "1234567890123456789 1.25 1.25" {
		t.Errorf("the kept row's amount, price and box: %q, want 1234567890123456789 1.25 1.25", got)
	}
}

// refusingRebuilds refuses every fact rebuild with an error no rule knows.
type refusingRebuilds struct{ *duckdb.Warehouse }

func (r refusingRebuilds) ReplaceFacts(context.Context, string, []warehouse.File, warehouse.FactsKept) error {
	return errors.New("some error synctrack does not know")
}

// A warehouse that refuses every rebuild with an unknown error blames no
// fact file: the load ends with the error. When the files, tried apart,
// had all failed, the table was left as it was and that was taken for a
// fact load that worked, which blamed them (found by a review): failed
// ledger rows, attempts counted, quarantine in the end.
func TestRefusedRebuildsBlameNoFactFile(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	load(t, b, dir, w)
	mem := memDuckDB(t)
	for _, org := range []string{"1001", "1002"} {
		p := filepath.Join(dir, "metadata", org, "destinations.parquet")
		if _, err := mem.Exec(`COPY (SELECT * REPLACE ('changed' AS name) FROM read_parquet('` + p + `')) TO '` + p + `.tmp' (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
	}
	_, err := loader.New(b, dir, refusingRebuilds{w}, loader.Options{BatchFiles: 7}).Load(context.Background())
	if err == nil {
		t.Error("the load ended well, though every rebuild was refused")
	}
	if got := rows(t, w.DB(), `SELECT key FROM synctrack.load_ledger WHERE status <> 'loaded'`); len(got) != 0 {
		t.Errorf("fact files blamed for the warehouse's refusal: %v", got)
	}
}

// pickyRebuilds refuses, with an error no rule knows, every fact rebuild
// that holds a file whose key has "bad"; it rebuilds the others.
type pickyRebuilds struct{ *duckdb.Warehouse }

func (r pickyRebuilds) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	for _, f := range files {
		if strings.Contains(f.Key, "bad") {
			return errors.New("some error synctrack does not know about " + f.Key)
		}
	}
	return r.Warehouse.ReplaceFacts(ctx, table, files, keep)
}

// Two new fact files that the warehouse refuses, each with its own unknown
// error, while it rebuilds the table from the others: they are theirs to
// blame, failed and in the end quarantined. When none was left to load,
// the table was not rebuilt, nothing showed the warehouse at work, and
// they were held as suspects, the load failing, on every load (found by a
// review).
func TestTwoRefusedFactFilesEndQuarantined(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	b := testbucket.Open(t, url)
	load(t, b, dir, w)
	for i, org := range []string{"1001", "1002"} {
		src := filepath.Join(dir, "metadata", org, "destinations.parquet")
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "metadata", org, "destinations.bad"+strconv.Itoa(i)+".parquet"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 3; i++ {
		if _, err := loader.New(b, dir, pickyRebuilds{w}, loader.Options{BatchFiles: 7, QuarantineAfter: 3}).Load(context.Background()); err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
	}
	got := rows(t, w.DB(), `SELECT key || ' ' || status FROM synctrack.load_ledger WHERE key LIKE '%bad%'`)
	want := []string{"metadata/1001/destinations.bad0.parquet quarantined", "metadata/1002/destinations.bad1.parquet quarantined"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("ledger %v, want %v", got, want)
	}
}
