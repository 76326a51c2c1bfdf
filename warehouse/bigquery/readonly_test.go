package bigquery

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// QueryReadOnly at the wire: the real client dry-runs the statement first
// and runs it (jobs.query) only when BigQuery's statementType is SELECT;
// anything else is refused with nothing run.
func TestQueryReadOnly(t *testing.T) {
	f := newBQFake(t)
	f.statementType = func(sql string) string {
		word, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
		switch strings.ToUpper(word) {
		case "SELECT", "WITH":
			return "SELECT"
		case "CREATE":
			return "CREATE_TABLE"
		case "DECLARE":
			return "SCRIPT"
		}
		return strings.ToUpper(word)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := Open(ctx, Config{Project: "p", Dataset: "synctrack", ReadOnly: true, JobTimeout: time.Minute}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f.reset()

	const q = "SELECT outcome, count(*) AS n FROM `synctrack`.`sync_log` GROUP BY 1"
	rows, err := w.QueryReadOnly(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	dry := f.dryRuns()
	if len(dry) != 1 || dry[0].Configuration.Query.Query != q || len(f.reads) != 1 || f.reads[0] != q {
		t.Fatalf("dry runs %d, reads %q: want the statement dry-run, then run", len(dry), f.reads)
	}
	for _, stmt := range []string{
		"INSERT INTO `synctrack`.`load_ledger` (key) VALUES ('x')",
		"DELETE FROM `synctrack`.`sync_records` WHERE true",
		"CREATE TABLE `synctrack`.`mine` AS SELECT 1 AS a",
		"DROP TABLE `synctrack`.`sync_records`",
		"DECLARE x INT64; SELECT 1",
	} {
		f.reset()
		_, err := w.QueryReadOnly(ctx, stmt)
		if !errors.Is(err, warehouse.ErrNotReadOnly) || warehouse.ClassOf(err) != warehouse.Config {
			t.Errorf("%s: %v, want a refusal (config)", stmt, err)
		}
		if len(f.dryRuns()) != 1 || len(f.queryJobs()) != 0 || len(f.reads) != 0 {
			t.Errorf("%s: %d dry runs, %d jobs, %d reads; want the dry run only", stmt, len(f.dryRuns()), len(f.queryJobs()), len(f.reads))
		}
	}
}
