package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The lease: one holder at a time, even when daemons ask at once; the
// holder renews it; an expired one is taken over; release frees it.
func TestLease(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	w := open(t, url, warehouse.Options{}).(warehouse.Leaser)
	var wg sync.WaitGroup
	won := make(chan string, 8)
	for i := range 8 {
		other := open(t, url, warehouse.Options{}).(warehouse.Leaser)
		wg.Go(func() {
			me := string(rune('a' + i))
			if ok, _, _, err := other.AcquireLease(ctx, "load", me, time.Minute); err != nil {
				t.Error(err)
			} else if ok {
				won <- me
			}
		})
	}
	wg.Wait()
	close(won)
	var winners []string
	for me := range won {
		winners = append(winners, me)
	}
	if len(winners) != 1 {
		t.Fatalf("%d daemons took the lease at once: %v", len(winners), winners)
	}
	ok, holder, until, err := w.AcquireLease(ctx, "load", "z", time.Minute)
	if err != nil || ok || holder != winners[0] || time.Until(until) < 50*time.Second {
		t.Errorf("a held lease: ok %v, holder %q until %v, %v", ok, holder, until, err)
	}
	if ok, _, _, err := w.AcquireLease(ctx, "load", winners[0], time.Minute); !ok || err != nil {
		t.Errorf("the holder could not renew: %v", err)
	}
	if err := w.ReleaseLease(ctx, "load", "z"); err != nil {
		t.Fatal(err)
	}
	if ok, _, _, _ := w.AcquireLease(ctx, "load", "z", time.Minute); ok {
		t.Error("a release by a non-holder freed the lease")
	}
	w.ReleaseLease(ctx, "load", winners[0])
	if ok, _, _, _ := w.AcquireLease(ctx, "load", "z", -time.Second); !ok {
		t.Error("a released lease was not free")
	}
	if ok, _, _, _ := w.AcquireLease(ctx, "load", "y", time.Minute); !ok {
		t.Error("an expired lease was not taken over")
	}
}

// Run state: runs start open, complete by webhook or quiet period, and a
// late file reopens them. Requeue puts quarantined objects back.
func TestRunStatesAndRequeue(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 1, 5
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	w := open(t, pgtest.URL(t), warehouse.Options{})
	if _, err := loader.New(b, dir, w, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	states := func() []string {
		return rowsOf(t, w, `SELECT sync_run_id || ':' || state || ':' || (completed_at IS NOT NULL)::text
FROM synctrack_schema.sync_runs ORDER BY sync_run_id`)
	}
	runs := rowsOf(t, w, `SELECT org_id, sync_configuration_id, sync_run_id FROM synctrack_schema.sync_runs ORDER BY sync_run_id`)
	if len(runs) != 2 {
		t.Fatalf("runs %v", runs)
	}
	ref := func(row string) warehouse.RunRef {
		var r warehouse.RunRef
		parts := splitBar(row)
		r.OrgID, r.SyncID, r.RunID = parts[0], parts[1], parts[2]
		return r
	}
	rs := w.(warehouse.RunStates)
	if n, err := rs.CompleteRuns(ctx, []warehouse.RunRef{ref(runs[0])}, time.Now()); n != 1 || err != nil {
		t.Errorf("complete: %d %v", n, err)
	}
	if n, _ := rs.CompleteRuns(ctx, []warehouse.RunRef{ref(runs[0])}, time.Now()); n != 0 {
		t.Errorf("completing a complete run changed %d", n)
	}
	done, open, err := rs.CompleteQuietRuns(ctx, time.Now().Add(time.Hour), time.Now())
	if done != 1 || open != 0 || err != nil {
		t.Errorf("quiet sweep: %d completed, %d open, %v", done, open, err)
	}
	if n, err := rs.ReopenRuns(ctx, []warehouse.RunRef{ref(runs[1])}); n != 1 || err != nil {
		t.Errorf("reopen: %d %v", n, err)
	}
	if got := states(); len(got) != 2 || !endsWith(got[0], ":complete:true") || !endsWith(got[1], ":open:false") {
		t.Errorf("states %v", got)
	}

	key := "sync_tracking_datasets/x/y/z/records_updated.0.parquet"
	w.Record(ctx, []warehouse.LedgerEntry{{Key: key, ETag: "e", Kind: warehouse.KindRecords, Status: warehouse.StatusQuarantined, Attempts: 5, Error: "bad\x00 \xff"}})
	if n, err := w.Requeue(ctx, []string{"other"}); n != 0 || err != nil {
		t.Errorf("requeue of another key: %d %v", n, err)
	}
	if n, err := w.Requeue(ctx, nil); n != 1 || err != nil {
		t.Errorf("requeue all: %d %v", n, err)
	}
	if got := rowsOf(t, w, `SELECT status, attempts, error FROM synctrack_schema.load_ledger WHERE key = $1`, key); len(got) != 1 || got[0] != "failed|0|bad \uFFFD" {
		t.Errorf("requeued row %v", got)
	}
}

func splitBar(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '|' {
			out, start = append(out, s[start:i]), i+1
		}
	}
	return append(out, s[start:])
}

func endsWith(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}
