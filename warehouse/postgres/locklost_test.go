package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// endLockSession ends the server session holding schema's load lock, as a
// server's idle_session_timeout, an administrator or a dropped connection
// would.
func endLockSession(t *testing.T, schema string) {
	t.Helper()
	c, err := pgx.Connect(context.Background(), pgtest.Server(t).ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid = $1::int4::oid`, postgres.SchemaKey(schema)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("ended %d sessions holding the load lock: %v", n, err)
	}
}

// A load whose lock's session ends writes nothing more: another load may
// have planned against the ledger since. Its next write fails, transient,
// naming the cause; a new load then loads what is left, each file once.
func TestLoadLockLostStopsWriting(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 1, 2, 50
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	wurl := pgtest.URL(t)
	w := open(t, wurl, warehouse.Options{})
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	before := one(t, w, `SELECT count(*) FROM synctrack_schema.sync_records`)
	o.RunsPerSync, o.Seed = 2, o.Seed+1
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	endLockSession(t, w.Schema())
	_, err := loader.New(b, dir, w, loader.Options{}).Load(ctx)
	if err == nil || warehouse.ClassOf(err) != warehouse.Transient || !strings.Contains(err.Error(), "load lock's session ended") {
		t.Fatalf("load after its lock's session ended: %v (class %v), want a transient error saying so", err, warehouse.ClassOf(err))
	}
	if n := one(t, w, `SELECT count(*) FROM synctrack_schema.sync_records`); n != before {
		t.Errorf("sync_records went from %s to %s rows without the lock", before, n)
	}
	// Another handle takes the lock and loads the rest.
	w2 := open(t, wurl, warehouse.Options{})
	rep, err := loader.New(b, dir, w2, loader.Options{}).Load(ctx)
	if err != nil || rep.Files == 0 {
		t.Fatalf("the next load: %+v %v", rep, err)
	}
	if dup := one(t, w2, `SELECT count(*) FROM (SELECT _file, _row FROM synctrack_schema.sync_records GROUP BY 1, 2 HAVING count(*) > 1) d`); dup != "0" {
		t.Errorf("%s rows twice", dup)
	}
}

// The keeper notices a lost lock between writes, and keeps the lock's
// session from being idle while it holds it.
func TestLoadLockKeeper(t *testing.T) {
	ctx := context.Background()
	w := open(t, pgtest.URL(t), warehouse.Options{}).(*postgres.Warehouse)
	postgres.SetLockPing(w, 20*time.Millisecond)
	if _, err := w.Ledger(ctx); err != nil { // takes the lock
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := postgres.LockLost(w); err != nil {
		t.Fatalf("the lock was lost while its session lived: %v", err)
	}
	endLockSession(t, w.Schema())
	deadline := time.Now().Add(5 * time.Second)
	for postgres.LockLost(w) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if postgres.LockLost(w) == nil {
		t.Fatalf("the keeper did not notice the lock's session ended")
	}
	if _, err := w.Ledger(ctx); err == nil || !strings.Contains(err.Error(), "load lock's session ended") {
		t.Errorf("a ledger read after the lock was lost: %v", err)
	}
}
