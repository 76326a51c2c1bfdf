package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
)

// An attempt count past what the ledger's INTEGER holds is kept at its
// largest value, not wrapped to a negative one on its way to the server.
func TestLedgerAttemptsDoNotWrap(t *testing.T) {
	ctx := context.Background()
	w := open(t, pgtest.URL(t), warehouse.Options{})
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	es := []warehouse.LedgerEntry{
		{Key: "big", Status: warehouse.StatusFailed, Error: "e", Attempts: 1<<31 + 5, FirstSeenAt: at},
		{Key: "small", Status: warehouse.StatusFailed, Error: "e", Attempts: 3, FirstSeenAt: at},
	}
	if err := w.Record(ctx, es); err != nil {
		t.Fatal(err)
	}
	got, err := w.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"big": 1<<31 - 1, "small": 3}
	for _, e := range got {
		if e.Attempts != want[e.Key] {
			t.Errorf("%s: attempts %d, want %d", e.Key, e.Attempts, want[e.Key])
		}
	}
	if len(got) != 2 {
		t.Errorf("%d ledger rows, want 2", len(got))
	}
}
