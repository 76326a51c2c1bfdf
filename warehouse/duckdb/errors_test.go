package duckdb

import (
	"errors"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// What DuckDB says when the file is held, by another process or by a load
// in this one, is a transient "locked": the pages answer 503 and the
// loader tries again, instead of a 500 or a failed object.
func TestLockedIsTransient(t *testing.T) {
	for _, msg := range []string{
		`IO Error: Could not set lock on file "/tmp/w.duckdb": Conflicting lock is held in /usr/bin/duckdb (PID 1)`,
		`Connection Error: Can't open a connection to same database file with a different configuration than existing connections`,
		`database/sql/driver: could not connect to database: Binder Error: Unique file handle conflict: Cannot attach "w" - the database file "/tmp/w.duckdb" is already attached by database "w"`,
	} {
		err := classify(errors.New(msg), nil)
		var e *warehouse.Error
		if !errors.As(err, &e) || e.Class != warehouse.Transient || e.Reason != "locked" {
			t.Errorf("%s: %v (class %v), want transient, locked", msg, err, warehouse.ClassOf(err))
		}
	}
}

// DuckDB's parser splits statements: a ';' in a literal or a comment ends
// none, and empty ones (trailing ';') are not counted.
func TestCountStatements(t *testing.T) {
	for q, want := range map[string]int{
		"select 1": 1, "select 1;": 1, "select 1; ;  \n": 1, "select ';'": 1, "select 1 -- ; x\n": 1,
		"select 1; -- done\n": 1, "select 1; select 2": 2, "select 1;\nselect 2;select 3;": 3,
	} {
		if n, err := countStatements(q); n != want || err != nil {
			t.Errorf("%q: %d statements, %v; want %d", q, n, err, want)
		}
	}
	if _, err := countStatements("selec 1"); err == nil || !strings.Contains(err.Error(), "Parser Error") {
		t.Errorf("a syntax error: %v", err)
	}
}

// Out of memory over one allocation out of proportion to memory_limit (a
// corrupt page header's) is a data error, narrowed down to the file, not a
// stop of the load; memory filled by many small allocations still stops it.
func TestHugeAllocationIsNotAResourceError(t *testing.T) {
	const tail = "\n\nPossible solutions:\n* Reducing the number of threads (SET threads=X)"
	for msg, want := range map[string]warehouse.Class{
		"Out of Memory Error: failed to allocate data of size 2.0 GiB (9.1 MiB/488.2 MiB used)" + tail:     warehouse.Data,
		"Out of Memory Error: failed to allocate data of size 512.0 MiB (10.0 MiB/488.2 MiB used)" + tail:  warehouse.Data,
		"Out of Memory Error: could not allocate block of size 4.0 KiB (2.0 GiB/488.2 MiB used)" + tail:    warehouse.Data,
		"Out of Memory Error: failed to allocate data of size 2.0 KiB (521.2 MiB/488.2 MiB used)" + tail:   warehouse.Data,
		"Out of Memory Error: failed to allocate data of size 32.0 KiB (6.5 MiB/488.2 MiB used)" + tail:    warehouse.Data,
		"Out of Memory Error: could not allocate block of size 4.0 KiB (8.8 MiB/488.2 MiB used)" + tail:    warehouse.Data,
		"Out of Memory Error: failed to allocate data of size 256.0 KiB (488.0 MiB/488.2 MiB used)" + tail: warehouse.Resource,
		"Out of Memory Error: failed to allocate data of size 256.0 KiB (300.0 MiB/488.2 MiB used)" + tail: warehouse.Resource,
		"Out of Memory Error: failed to allocate data of size 64.0 MiB (400.0 MiB/488.2 MiB used)" + tail:  warehouse.Resource,
		"Out of Memory Error: could not allocate block of size 256 bytes (3.9 GiB/3.9 GiB used)":           warehouse.Resource,
		"Out of Memory Error: Allocation failure":                                                          warehouse.Resource,
	} {
		err := classify(errors.New(msg), []warehouse.File{{}})
		reason, hint := warehouse.Explain(err)
		wantReason := map[warehouse.Class]string{warehouse.Data: "huge_allocation", warehouse.Resource: "memory"}[want]
		if got := warehouse.ClassOf(err); got != want || reason != wantReason || hint == "" {
			t.Errorf("%.90s: class %v, reason %q, hint %q; want %v, %s", msg, got, reason, hint, want, wantReason)
		}
		// A statement that read no files (a page's query, a report): its
		// own out of memory, a resource error whatever its shape.
		if got := warehouse.ClassOf(classify(errors.New(msg), nil)); got != warehouse.Resource {
			t.Errorf("%.90s without files: class %v, want resource", msg, got)
		}
	}
}

// What DuckDB says of a parquet file it cannot decode is the file's: a data
// error. These came from loads of corrupted files; the Thrift ones said
// nothing a rule knew, so a lone bad fact file ended its load unblamed.
func TestUnreadableParquetIsData(t *testing.T) {
	for _, msg := range []string{
		`rebuild destinations: Invalid Error: invalid TType`,
		`rebuild destinations: Invalid Error: TProtocolException: Invalid data`,
		`insert rows: Invalid Error: Out of buffer`,
		`insert rows: Invalid Error: Variable-length int over 10 bytes.`,
		`insert rows: Out of Range Error: Can't find next power of 2 for 18446744071562067968`,
		"insert rows: Binder Error: Table \"r\" does not have a column named \"ba\xd1ch_started_at\"",
		`Invalid Error: don't know what type: ` + "\x0f",
		`Invalid Input Error: Failed to read file "/tmp/b/x.parquet": Snappy decompression failure`,
		`IO Error: Invalid Input Error: No magic bytes found at end of file '/tmp/b/x.parquet'`,
	} {
		if c := warehouse.ClassOf(classify(errors.New(msg), nil)); c != warehouse.Data {
			t.Errorf("%q: %v, want data", msg, c)
		}
	}
}

// What DuckDB says of a value it cannot convert quotes the value, and a
// value of a file can read as anything: it is still the file's (a value
// "No space left on device" stopped every load as disk full, one "could not
// set lock on file" as a held lock, none blamed, for good). And what the
// operating system says of a file DuckDB cannot open names the file, whose
// path ends in .parquet: it is still the machine's (with too few open files
// allowed, 351 of 710 files failed as bad data and the load took 4 minutes
// halving).
func TestQuotedValuesAndPathsKeepTheirClass(t *testing.T) {
	const line = "\n\nLINE 7:   CAST(r.\"batch_started_at\" AS TIMESTAMPTZ),\n          ^"
	for msg, want := range map[string]warehouse.Class{
		`insert rows: Conversion Error: invalid timestamp field format: "No space left on device", expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH[:MM[:SS]]| ZONE]) when casting from source column batch_started_at` + line:    warehouse.Data,
		`insert rows: Conversion Error: invalid timestamp field format: "could not set lock on file", expected format is (YYYY-MM-DD HH:MM:SS[.US][±HH[:MM[:SS]]| ZONE]) when casting from source column batch_started_at` + line: warehouse.Data,
		`insert rows: Conversion Error: Could not convert string 'Input/output error' to INT64`:                                                                                                                                   warehouse.Data,
		`insert rows: Conversion Error: Could not convert string 'Stale file handle' to INT64`:                                                                                                                                    warehouse.Data,
		`insert rows: Conversion Error: Could not convert string 'out of memory' to INT64`:                                                                                                                                        warehouse.Data,
		"insert rows: Binder Error: Table \"r\" does not have a column named \"database has been invalidated\"":                                                                                                                   warehouse.Data,
		`insert rows: IO Error: Cannot open file "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet": Too many open files`:                                                                                            warehouse.Resource,
		`insert rows: IO Error: Cannot open file "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet": Permission denied`:                                                                                              warehouse.Config,
		`insert rows: IO Error: Could not write file "/tmp/w.duckdb": No space left on device`:                                                                                                                                    warehouse.Resource,
		`insert rows: IO Error: Could not read from file "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet": Input/output error`:                                                                                     warehouse.Resource,
		`insert rows: IO Error: Could not read from file "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet": Stale file handle`:                                                                                      warehouse.Transient,
		`insert rows: IO Error: Cannot open file "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet": Transport endpoint is not connected`:                                                                            warehouse.Transient,
		`IO Error: Could not set lock on file "/tmp/w.duckdb": Conflicting lock is held in /usr/bin/duckdb (PID 1)`:                                                                                                               warehouse.Transient,
		`insert rows: IO Error: Invalid Input Error: No magic bytes found at end of file '/tmp/b/x.parquet'`:                                                                                                                      warehouse.Data,
	} {
		if got := warehouse.ClassOf(classify(errors.New(msg), []warehouse.File{{Local: "/tmp/b/x.parquet"}})); got != want {
			t.Errorf("%.110s: %v, want %v", msg, got, want)
		}
	}
}

// A command that loads nothing (query, report) says every hint as its own:
// no --batch-bytes, no next load (warehouse.NotLoading).
func TestHintsOfCommandsThatLoadNothing(t *testing.T) {
	for _, p := range warehouse.LoadOnlyHints(valueRules, errorRules) {
		t.Error(p)
	}
}

// A bucket's file DuckDB may not open (its mode changed after the stager
// read its footer) is a permission error with the bucket's hint: the
// shared one said to make the warehouse file writable. The warehouse
// file's own keeps the warehouse's.
func TestBucketFilePermissionHint(t *testing.T) {
	files := []warehouse.File{{Object: warehouse.Object{Key: "sync_tracking_datasets/1/2/3/records_updated.3.parquet"},
		Local: "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet"}}
	for msg, want := range map[string]string{
		`insert rows: IO Error: Cannot open file "/tmp/b/sync_tracking_datasets/1/2/3/records_updated.3.parquet": Permission denied`: "bucket's files",
		`insert rows: IO Error: Cannot open file "/tmp/w.duckdb.wal": Permission denied`:                                             "warehouse file",
	} {
		err := classify(errors.New(msg), files)
		_, hint := warehouse.Explain(err)
		if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(hint, want) {
			t.Errorf("%.80s: %v, hint %q; want config, the hint about the %s", msg, warehouse.ClassOf(err), hint, want)
		}
	}
}
