package loader_test

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// Keys are untrusted: quotes, glob characters and SQL in folder and file names
// load like any other file, under their own key, and change no statement.
func TestHostileKeysLoadAsData(t *testing.T) {
	url, dir := generated(t, smallOptions())
	good, err := os.ReadFile(findRecords(t, dir)[0])
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{
		"sync_tracking_datasets/1'; DROP TABLE synctrack.sync_records; --/2/3/records_updated.0.parquet",
		"sync_tracking_datasets/1/[*]/3/records_updated.0.parquet",
		"sync_tracking_datasets/1/2/it's \"quoted\"/records_*.1.parquet",
	}
	for _, k := range keys {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, good, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := openWarehouse(t)
	db := w.DB()
	want := one(t, db, `SELECT count(*) FROM read_parquet(?)`, findRecords(t, dir)[0])
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) > 0 {
		t.Fatalf("failures: %v", rep.Failed)
	}
	for _, k := range keys {
		parts := strings.Split(k, "/")
		got := one(t, db, `SELECT count(*) || ' ' || min(org_id) || ' ' || min(batch_type) FROM synctrack.sync_records WHERE _file = ?`, k)
		if exp := want + " " + parts[1] + " " + strings.Split(parts[4], ".")[0]; got != exp {
			t.Errorf("%s: got %q, want %q", k, got, exp)
		}
	}
}

// Every typed view answers, one row per record of its sync, with the hostile
// field names of the generated bucket among its columns.
func TestTypedViewsCoverEverySync(t *testing.T) {
	url, dir := generated(t, smallOptions())
	w := openWarehouse(t)
	load(t, testbucket.Open(t, url), dir, w)
	db := w.DB()
	views := rows(t, db, `SELECT DISTINCT view_name || '|' || sync_configuration_id FROM synctrack.payload_columns`)
	syncs := rows(t, db, `SELECT DISTINCT sync_configuration_id FROM synctrack.sync_records`)
	if len(views) != len(syncs) {
		t.Fatalf("%d typed views for %d syncs", len(views), len(syncs))
	}
	for _, v := range views {
		name, sync, _ := strings.Cut(v, "|")
		got := one(t, db, `SELECT count(*) FROM synctrack."`+name+`"`)
		if exp := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE sync_configuration_id = ?`, sync); got != exp {
			t.Errorf("view %s: %s rows, sync has %s", name, got, exp)
		}
	}
	if n := one(t, db, `SELECT count(*) FROM synctrack.payload_columns WHERE field_name = 'x"); DROP TABLE sync_records; --'`); n != "1" {
		t.Fatalf("hostile field not in the catalog (%s rows): the generator's hostile sync went untested", n)
	}
	// The typed column holds what the JSON holds, for a field whose name needs escaping.
	col := one(t, db, `SELECT view_name || '|' || column_name || '|' || sync_configuration_id FROM synctrack.payload_columns WHERE field_name = 'a/b'`)
	parts := strings.Split(col, "|")
	mismatch := one(t, db, `SELECT count(*) FROM synctrack."`+parts[0]+`" v JOIN synctrack.sync_records r USING (_file, _row)
WHERE v."`+parts[1]+`" IS DISTINCT FROM json_extract_string(r.record_payload, '$."a/b"')`)
	if mismatch != "0" {
		t.Fatalf("%s rows where the typed column differs from the payload", mismatch)
	}
	// A field named as an SQL keyword becomes a column anyone can type
	// unquoted: select -> select_f (a column "select" would need quotes).
	kw := one(t, db, `SELECT view_name || '|' || column_name FROM synctrack.payload_columns WHERE field_name = 'select'`)
	view, colName, _ := strings.Cut(kw, "|")
	if colName != "select_f" {
		t.Fatalf("field select got column %q, want select_f", colName)
	}
	wrong := one(t, db, `SELECT count(*) FROM synctrack.`+view+` v JOIN synctrack.sync_records r USING (_file, _row)
WHERE v.select_f IS DISTINCT FROM CAST(json_extract(r.record_payload, '$.select') AS BOOLEAN)`)
	if wrong != "0" {
		t.Fatalf("%s rows where select_f differs from the payload's select", wrong)
	}
}

// A run folder whose name holds a control character (a newline) loads its
// metadata.json too: read through the bucket, the key was escaped on the
// way to its file and not found, "gone since the listing" on every load,
// and the run never had a sync_runs row while its records loaded (found
// by a review).
func TestRunFolderWithANewlineLoadsItsMetadata(t *testing.T) {
	url, dir := generated(t, smallOptions())
	src := filepath.Dir(findRecords(t, dir)[0])
	dst := filepath.Join(filepath.Dir(src), "nl\nx")
	if err := os.Rename(src, dst); err != nil {
		t.Skipf("no newline in a folder's name here: %v", err)
	}
	w := openWarehouse(t)
	rep := load(t, testbucket.Open(t, url), dir, w)
	if len(rep.Failed) > 0 {
		t.Fatalf("failed: %v", rep.Failed)
	}
	if got := one(t, w.DB(), "SELECT count(*) FROM synctrack.sync_runs WHERE sync_run_id = ?", "nl\nx"); got != "1" {
		t.Errorf("%s sync_runs rows for the folder with a newline, want 1", got)
	}
}

// A first load of a bucket without any metadata.json installs the views
// all the same: the pages read run_outcomes, which only a load with runs
// installed, and answered 503 until synctrack views was run (found by a
// review).
func TestFirstLoadWithoutMetadataInstallsTheViews(t *testing.T) {
	url, dir := generated(t, smallOptions())
	metas, _ := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	for _, m := range metas {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
	w := openWarehouse(t)
	rep := load(t, testbucket.Open(t, url), dir, w)
	if rep.Rows == 0 || len(rep.Failed) > 0 {
		t.Fatalf("premise: %d rows, failed %v", rep.Rows, rep.Failed)
	}
	if got := one(t, w.DB(), "SELECT sum(total) FROM synctrack.run_outcomes"); got != strconv.FormatInt(rep.Rows, 10) {
		t.Errorf("run_outcomes counts %s records, the load %d", got, rep.Rows)
	}
}

// gocloud's fileblob lists a name that looks like one of its escapes
// ("__0x39__") as the character it encodes ("9"): a run folder 88__0x39__1
// was listed as 8891, which no read found, so its files were "gone since
// the listing" on every load, never loaded and never failed; a folder
// named as that decoding was listed twice. Each file now loads once, under
// its own name in the folder.
func TestEscapeLikeNamesLoadUnderTheirOwnKeys(t *testing.T) {
	url, dir := generated(t, smallOptions())
	records := findRecords(t, dir)
	runDir := filepath.Dir(records[0])
	escaped := runDir + "__0x39__1"
	if err := os.Rename(runDir, escaped); err != nil {
		t.Fatal(err)
	}
	decoded := runDir + "91" // what fileblob took escaped for
	if err := os.MkdirAll(decoded, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(escaped)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(escaped, e.Name()), filepath.Join(decoded, e.Name()))
	}
	for _, r := range records {
		if filepath.Dir(r) != runDir {
			copyFile(t, r, filepath.Join(filepath.Dir(r), "records__0x5f__updated.7.parquet"))
			break
		}
	}

	// What must load: every file the loader reads, by its path in the folder.
	var want, wantRecords []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		key := filepath.ToSlash(rel)
		switch loader.Classify(key).Kind {
		case loader.KindIgnored:
		case loader.KindRecords:
			wantRecords = append(wantRecords, key)
			fallthrough
		default:
			want = append(want, key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	sort.Strings(wantRecords)
	var odd int
	for _, k := range want {
		if strings.Contains(k, "__0x") {
			odd++
		}
	}
	if odd < 2 {
		t.Fatalf("the bucket has %d keys that look like fileblob's escapes, want the renamed run folder's and a records file", odd)
	}

	w := openWarehouse(t)
	db := w.DB()
	wantRows := one(t, db, `SELECT count(*) FROM read_parquet(`+rawGlob(dir)+`, union_by_name = true)`)
	b := testbucket.Open(t, url)
	rep := load(t, b, dir, w)
	if len(rep.Failed) > 0 || rep.Pending > 0 || rep.Files != len(want) {
		t.Fatalf("loaded %d files, %d pending, failed %v; want all %d files of the folder loaded", rep.Files, rep.Pending, rep.Failed, len(want))
	}
	sameRows(t, "loaded keys and the folder's files",
		rows(t, db, `SELECT key FROM synctrack.load_ledger WHERE status = 'loaded'`), want)
	sameRows(t, "_file of sync_records and the folder's records files",
		rows(t, db, `SELECT DISTINCT _file FROM synctrack.sync_records`), wantRecords)
	if got := one(t, db, `SELECT count(*) FROM synctrack.sync_records`); got != wantRows {
		t.Errorf("%s rows loaded, the folder's records files hold %s", got, wantRows)
	}
	if again := load(t, b, dir, w); again.Files != 0 || again.UpToDate != len(want) {
		t.Errorf("the next load loaded %d files, %d up to date; want none loaded, all %d up to date", again.Files, again.UpToDate, len(want))
	}
}
