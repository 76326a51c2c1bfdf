package snowflake

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// A retention pass at the wire: in one transaction, the expiring files read
// once, then named in the ledger UPDATE and the deletes by _file, and one
// DELETE by batch_started_at for rows of files that straddle the cutoff.
// The conformance suite runs it over loaded files; this pins its SQL.
func TestExpireWire(t *testing.T) {
	ctx := context.Background()
	f := sffake.New(t)
	w := openFake(t, f, "")
	f.Answer(`SELECT DISTINCT "_FILE" FROM (`, []sffake.Column{{Name: "_FILE", Type: "text"}},
		[][]any{{"sync_tracking_datasets/1/2/3/records_updated.0.parquet"}, {"sync_tracking_datasets/1/2/3/it's.parquet"}})
	f.Affect(`"SYNC_RECORDS" WHERE "BATCH_STARTED_AT" < CAST(`, 4)
	r := warehouse.NewRetention(7, time.Date(2026, 1, 20, 15, 4, 5, 0, time.UTC))
	if got := r.Cutoff.Format(time.RFC3339); got != "2026-01-14T00:00:00Z" {
		t.Fatalf("cutoff %s, want 2026-01-14: seven days, the 20th included", got)
	}
	ex, err := w.Expire(ctx, r)
	if err != nil || ex.Rows != 4 {
		t.Fatalf("expire: %+v, %v; want the 4 straddling rows", ex, err)
	}
	stmts := f.Statements()
	golden(t, "retention.sql", stmts)
	if stmts[0] != "BEGIN" || stmts[len(stmts)-1] != "COMMIT" {
		t.Errorf("retention is not one transaction: %q ... %q", stmts[0], stmts[len(stmts)-1])
	}
	if !strings.Contains(strings.Join(stmts, "\n"), `'sync_tracking_datasets/1/2/3/it''s.parquet'`) {
		t.Error("a key from the bucket is not quoted as a literal")
	}

	f.Reset()
	if ex, err := w.Expire(ctx, warehouse.NewRetention(0, time.Now())); err != nil || ex != (warehouse.Expired{}) || len(f.Statements()) != 0 {
		t.Errorf("no retention: %+v, %v, statements %q; want nothing sent", ex, err, f.Statements())
	}
	w.UseExternalTables()
	if _, err := w.Expire(ctx, r); warehouse.ClassOf(err) != warehouse.Config {
		t.Errorf("retention in external mode: %v, want a config error", err)
	}
}
