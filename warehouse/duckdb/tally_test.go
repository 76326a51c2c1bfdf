package duckdb_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/badparquet"
	"github.com/synctrack/synctrack/internal/testbucket"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

const runDir = "sync_tracking_datasets/o1/s1/r1/"

func writeParquet[T any](t *testing.T, dir, key string, rows []T, opts ...parquet.WriterOption) {
	t.Helper()
	var b bytes.Buffer
	if err := parquet.Write(&b, rows, opts...); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, filepath.FromSlash(key))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostileRow is a records file's row with every column the counts group by
// optional, so one file can hold NULLs, several runs and batch starts.
type hostileRow struct {
	Identifier string     `parquet:"identifier"`
	Payload    string     `parquet:"record_payload"`
	Status     *string    `parquet:"status,optional,dict"`
	Message    *string    `parquet:"status_message,optional"`
	Started    *time.Time `parquet:"batch_started_at,optional,timestamp(microsecond)"`
	Ended      *time.Time `parquet:"batch_ended_at,optional,timestamp(nanosecond)"`
	Sync       *string    `parquet:"sync_configuration_id,optional"`
	Run        *string    `parquet:"sync_run_id,optional,dict"`
	Org        *string    `parquet:"org_id,optional"`
}

// bareRow has no id columns (the path's count), a dictionary of messages
// and upper-case column names; and a column whose name Unicode lowers to
// org_id but DuckDB does not ("İ" is not ASCII): not the org.
type bareRow struct {
	Identifier string     `parquet:"identifier"`
	NotOrg     *string    `parquet:"org_İd,optional"`
	Status     *string    `parquet:"Status,optional"`
	Message    *string    `parquet:"STATUS_MESSAGE,optional,dict"`
	Started    *time.Time `parquet:"batch_started_at,optional,timestamp(microsecond)"`
	Ended      *time.Time `parquet:"batch_ended_at,optional,timestamp(nanosecond)"`
}

func ptr[T any](v T) *T { return &v }

var (
	hostileStatuses = []*string{nil, ptr("succeeded"), ptr("SUCCEEDED"), ptr("Rejected"), ptr("rejected"), ptr("REJECTED "),
		ptr("ſucceeded"), ptr(""), ptr("duplicate"), ptr("DUPLICATE"), ptr("rejected\x00"), ptr("reJecteD")}
	hostileMessages = []*string{nil, ptr(""), ptr("invalid 'a'"), ptr("invalid 'B'"), ptr("invalid 'ä'"), ptr("Invalid 'z'"),
		ptr("bad \xff\xfe utf8 for u_77"), ptr("bad \xc3 utf8 for u_78"), ptr("nul\x00byte 12"), ptr("email x@y.com is taken"),
		ptr("email z@q.org is taken"), ptr("日本語 id 0035g00000AbCdEfGH"), ptr("日本語 id 0035g00000ZZZZZZZZ"),
		ptr("host john.smith.example.com down"), ptr("uuid 123e4567-e89b-12d3-a456-426614174000 gone"),
		ptr("uuid 00000000-0000-0000-0000-000000000000 gone"), ptr("amount -12.5 over 7"), ptr("amount 3 over 70"),
		ptr("Émile 'x' and émile 'y'"), ptr("a"), ptr("B"), ptr("b")}
	t0      = time.Date(2026, 3, 1, 10, 0, 0, 123_456_000, time.UTC)
	hStarts = []*time.Time{nil, &t0, ptr(t0.Add(time.Hour)), ptr(t0.Add(999 * time.Nanosecond)), ptr(time.Date(1960, 1, 1, 0, 0, 0, 1000, time.UTC))}
	hEnds   = []*time.Time{nil, ptr(t0.Add(time.Minute)), ptr(t0.Add(time.Minute + 1500*time.Nanosecond)), ptr(t0.Add(2 * time.Minute)),
		ptr(t0.Add(time.Minute + 999*time.Nanosecond))}
)

func hostileRows() []hostileRow {
	runs := []*string{nil, ptr("r2"), ptr("r3"), ptr("")}
	var out []hostileRow
	for i := 0; i < 600; i++ {
		out = append(out, hostileRow{Identifier: fmt.Sprint(i), Payload: `{"i":` + fmt.Sprint(i) + `}`,
			Status: hostileStatuses[i%len(hostileStatuses)], Message: hostileMessages[(i/3)%len(hostileMessages)],
			Started: hStarts[(i/7)%len(hStarts)], Ended: hEnds[(i/5)%len(hEnds)],
			Run: runs[(i/11)%len(runs)], Sync: []*string{nil, ptr("s9")}[(i/13)%2], Org: []*string{nil, ptr("o1"), ptr("o7")}[(i/17)%3]})
	}
	// One group holding both orders' least message.
	for _, m := range []string{"invalid 'a'", "invalid 'B'", "invalid 'b'"} {
		out = append(out, hostileRow{Identifier: m, Payload: "{}", Status: ptr("rejected"), Message: ptr(m), Started: &t0, Run: ptr("r9")})
	}
	return out
}

func bareRows() []bareRow {
	var out []bareRow
	for i := 0; i < 300; i++ {
		m := hostileMessages[i%len(hostileMessages)]
		if m != nil && !utf8.ValidString(*m) {
			m = ptr(strings.ToValidUTF8(*m, "\uFFFD"))
		}
		out = append(out, bareRow{Identifier: fmt.Sprint(i), NotOrg: ptr("not-the-org"), Status: hostileStatuses[(i/2)%len(hostileStatuses)],
			Message: m, Started: hStarts[(i/5)%len(hStarts)], Ended: hEnds[(i/3)%len(hEnds)]})
	}
	return out
}

// The counts a load groups in Go from the batch's files (tally.go) are,
// row for row, what sql.CountsInserts computes over the same stored
// sync_records rows: NULL, mixed-case and near-miss statuses, NULL, empty,
// repaired (not UTF-8), NUL-holding and non-ASCII messages, messages that
// fingerprint alike, several runs, orgs and batch starts in one file,
// nanoseconds cut to micros, a file without id columns and with upper-case
// names; generated files (every shape) in a load before.
func TestGoCountsMatchSQL(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 2, 2, 2, 3, 300
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	before := duckdb.TallyFallbacks.Load()
	loadBucket(t, w, url, dir)

	rows := hostileRows()
	// Strings that are not UTF-8 in one file only (written when the loader
	// repaired one such file a batch; it now repairs them all in one load).
	for i := 300; i < len(rows); i++ {
		if m := rows[i].Message; m != nil && !utf8.ValidString(*m) {
			rows[i].Message = ptr(strings.ToValidUTF8(*m, "?"))
		}
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows[:300])
	writeParquet(t, dir, runDir+"records_updated.1.parquet", rows[300:], parquet.DataPageVersion(1), parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.Plain))
	writeParquet(t, dir, runDir+"records_updated.2.parquet", rows[:0])
	writeParquet(t, dir, runDir+"records_updated.3.parquet", bareRows())
	if rep := loadBucket(t, w, url, dir); len(rep.Failed) > 0 {
		t.Fatalf("load failed: %+v", rep.Failed)
	}
	if n := duckdb.TallyFallbacks.Load() - before; n != 0 {
		t.Errorf("premise: %d batches counted by the SQL pass, want all grouped in Go", n)
	}
	if n := scalar(t, w, `SELECT count(*) FROM synctrack.sync_records WHERE _file LIKE '`+runDir+`%'`); n != int64(len(rows)+300) {
		t.Fatalf("premise: %d hostile rows loaded, want %d", n, len(rows)+300)
	}
	for _, q := range []string{
		`SELECT count(*) FROM synctrack.sync_records WHERE status_message LIKE '%' || chr(65533) || '%'`,
		`SELECT count(*) FROM synctrack.sync_records WHERE status_message LIKE '%' || chr(0) || '%'`,
		`SELECT count(DISTINCT org_id) - 1 FROM synctrack.sync_records WHERE _file LIKE '` + runDir + `%'`,
		`SELECT count(*) FROM synctrack.sync_records WHERE batch_started_at < '1970-01-01'`,
	} {
		if scalar(t, w, q) == 0 {
			t.Errorf("premise: none of %s", q)
		}
	}
	compareWithSQL(t, w)
}

// A batch holding a type the Go grouping does not convert (a string
// timestamp, an int status, nanoseconds before 1970 with a fraction of a
// micro) is counted by the SQL pass, and its counts are the same.
func TestGoCountsFallBack(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", hostileRows()[:200])
	writeParquet(t, dir, runDir+"records_updated.1.parquet", []struct {
		Identifier string `parquet:"identifier"`
		Status     int64  `parquet:"status"`
		Started    string `parquet:"batch_started_at"`
	}{{"x", 1, "2026-01-05 08:01:19.369+00"}, {"y", 2, "2026-01-05 08:01:19+00"}})
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	before := duckdb.TallyFallbacks.Load()
	loadBucket(t, w, url, dir)
	if duckdb.TallyFallbacks.Load() == before {
		t.Error("premise: no batch counted by the SQL pass")
	}
	compareWithSQL(t, w)

	url, dir = testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", []hostileRow{{Identifier: "1", Status: ptr("x"),
		Ended: ptr(time.Date(1969, 12, 31, 23, 59, 59, 999_999_500, time.UTC))}})
	before = duckdb.TallyFallbacks.Load()
	loadBucket(t, w, url, dir)
	if duckdb.TallyFallbacks.Load() == before {
		t.Error("premise: nanoseconds before 1970 not counted by the SQL pass")
	}
	compareWithSQL(t, w)
}

// A file compressed with LZ4 is counted by the SQL pass: parquet-go's LZ4
// decoder is not given the bucket's bytes (on a page whose codec a corrupt
// footer calls LZ4 it grew by gigabytes), and the counts are the same.
func TestGoCountsFallBackOnLZ4(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", hostileRows()[:200], parquet.Compression(&parquet.Lz4Raw))
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	before := duckdb.TallyFallbacks.Load()
	loadBucket(t, w, url, dir)
	if duckdb.TallyFallbacks.Load() == before {
		t.Error("an LZ4 file was grouped by parquet-go")
	}
	compareWithSQL(t, w)
}

// compareWithSQL runs sql.CountsInserts over w's sync_records into a
// scratch schema's copies of the counts tables and compares both ways.
func compareWithSQL(t *testing.T, w *duckdb.Warehouse) {
	t.Helper()
	d, s := dialects.DuckDB{}, "synctrack"
	scratch := "synctrack_sql"
	stmts := []string{`DROP SCHEMA IF EXISTS ` + scratch + ` CASCADE`, `CREATE SCHEMA ` + scratch,
		`CREATE VIEW ` + d.Table(scratch, "sync_records") + ` AS SELECT * FROM ` + d.Table(s, "sync_records")}
	for _, tb := range dialects.CountsTables() {
		stmts = append(stmts, `CREATE TABLE `+d.Table(scratch, tb.Name)+` AS SELECT * FROM `+d.Table(s, tb.Name)+` LIMIT 0`)
	}
	stmts = append(stmts, analysis.CountsInserts(d, scratch, "TRUE", "")...)
	for _, q := range stmts {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, tb := range dialects.CountsTables() {
		mine, theirs := d.Table(s, tb.Name), d.Table(scratch, tb.Name)
		n := scalar(t, w, `SELECT count(*) FROM `+mine)
		if m := scalar(t, w, `SELECT count(*) FROM `+theirs); n == 0 || n != m {
			t.Errorf("%s: %d rows written by the load, %d by CountsInserts", tb.Name, n, m)
		}
		for _, q := range [][2]string{{mine, theirs}, {theirs, mine}} {
			rs, err := w.DB().Query(`SELECT CAST(x AS VARCHAR) FROM (SELECT * FROM ` + q[0] + ` EXCEPT ALL SELECT * FROM ` + q[1] + `) x`)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var r string
				rs.Scan(&r)
				t.Errorf("%s: %s has %s, the other not", tb.Name, q[0], strings.ToValidUTF8(r, "?"))
			}
			rs.Close()
		}
	}
}

// A file:// bucket's files are read in place: one replaced between the
// INSERT and the Go grouping must not give counts of rows other than those
// stored. The batch is counted by the SQL pass instead.
func TestGoCountsFileReplacedMidLoad(t *testing.T) {
	type row struct {
		Identifier string    `parquet:"identifier"`
		Status     string    `parquet:"status"`
		Message    string    `parquet:"status_message"`
		Started    time.Time `parquet:"batch_started_at,timestamp(microsecond)"`
	}
	url, dir := testbucket.Dir(t)
	var rows, other []row
	for i := range 200 {
		status := "succeeded"
		if i%3 == 0 {
			status = "rejected"
		}
		rows = append(rows, row{fmt.Sprint(i), status, fmt.Sprintf("no %d", i%5), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		other = append(other, row{fmt.Sprint(i), "rejected", fmt.Sprintf("bad %d", i%7), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	}
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows)
	spare := t.TempDir()
	writeParquet(t, spare, "other.parquet", other)
	replaced := false
	*duckdb.AfterRecordsInsert = func(files []warehouse.File) {
		for _, f := range files {
			if !replaced && f.Local != "" {
				if err := os.Rename(filepath.Join(spare, "other.parquet"), f.Local); err != nil {
					t.Error(err)
				}
				replaced = true
			}
		}
	}
	defer func() { *duckdb.AfterRecordsInsert = func([]warehouse.File) {} }()
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	before := duckdb.TallyFallbacks.Load()
	loadBucket(t, w, url, dir)
	if !replaced {
		t.Fatal("premise: no file was replaced")
	}
	if n := duckdb.TallyFallbacks.Load() - before; n != 1 {
		t.Errorf("%d batches counted by the SQL pass, want the one whose file changed", n)
	}
	compareWithSQL(t, w)
}

// A batch whose distinct strings pass the Go grouping's bound is counted by
// the SQL pass (inside DuckDB's memory_limit), with the same counts.
func TestGoCountsBoundedMemory(t *testing.T) {
	defer func(was int64) { *duckdb.MaxTallyBytes = was }(*duckdb.MaxTallyBytes)
	*duckdb.MaxTallyBytes = 16
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", hostileRows()[:300])
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	before := duckdb.TallyFallbacks.Load()
	loadBucket(t, w, url, dir)
	if n := duckdb.TallyFallbacks.Load() - before; n != 1 {
		t.Errorf("%d batches counted by the SQL pass, want the one over the bound", n)
	}
	compareWithSQL(t, w)
}

// The grouping reads a file in the background before DuckDB can fail it: a
// page header claiming 2^31-1 values is refused by its check, not handed to
// parquet-go, which sized its buffers by it (hundreds of MiB, or the
// runtime's fatal out of memory where memory is limited).
func TestGoCountsCheckPageHeadersFirst(t *testing.T) {
	url, dir := testbucket.Dir(t)
	writeParquet(t, dir, runDir+"records_updated.0.parquet", hostileRows()[:300])
	good, err := os.ReadFile(filepath.Join(dir, runDir+"records_updated.0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for col := 2; col <= 3; col++ { // status, status_message
		b, err := badparquet.HugeValueCount(good, col, 1<<31-1)
		if err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("%srecords_updated.%d.parquet", runDir, col)
		if err := os.WriteFile(filepath.Join(dir, key), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := openDuck(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer w.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loadBucket(t, w, url, dir)
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 128<<20 {
		t.Errorf("the load allocated %d MiB in Go", d>>20)
	}
	compareWithSQL(t, w)
}
