package daemon_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/daemon"
)

// A loaded fact file deleted from the bucket, no other file changed: the
// daemon's next cycle that lists the fact prefix rebuilds its table
// without its rows, though the cycle has nothing new to load (its plan
// counted no work, and the table, with no new file, was left out).
func TestCycleTakesADeletedFactFilesRowsOut(t *testing.T) {
	f := newFixture(t)
	cfg := daemon.Config{Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}}
	f.start(cfg)
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	f.shutdown()
	ms, _ := filepath.Glob(filepath.Join(f.dir, "metadata", "*", "destinations.parquet"))
	if len(ms) == 0 {
		t.Fatal("no fact file")
	}
	rel, _ := filepath.Rel(f.dir, ms[0])
	key := filepath.ToSlash(rel)
	count := `SELECT count(*) FROM synctrack.destinations WHERE _file = ?`
	if got := f.query(count, key); got[0] == "0" {
		t.Fatalf("premise: %s has no rows", key)
	}
	others := f.query(`SELECT count(*) FROM synctrack.source_objects`)
	if err := f.bucket.Delete(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	f.start(cfg)
	c := f.waitCycle("at the restart", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	f.shutdown()
	if c.Err != nil {
		t.Fatal(c.Err)
	}
	if got := f.query(count, key); got[0] != "0" {
		t.Errorf("the deleted file still has %s rows", got[0])
	}
	if got := f.query(`SELECT count(*) FROM synctrack.source_objects`); got[0] != others[0] || others[0] == "0" {
		t.Errorf("source_objects, no file of which changed, has %s rows, had %s", got[0], others[0])
	}
	if got := f.query(`SELECT status FROM synctrack.load_ledger WHERE key = ?`, key); len(got) != 1 || got[0] != "deleted" {
		t.Errorf("ledger of the deleted file: %v, want deleted", got)
	}
}
