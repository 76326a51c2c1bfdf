package warehouse

import (
	"context"
	"time"
)

// Optional capabilities the daemon (synctrack run) uses when a warehouse has
// them; a warehouse without them still loads.

// RunRef names one sync run.
type RunRef struct{ OrgID, SyncID, RunID string }

// Run states in sync_runs.state.
const (
	RunOpen     = "open"
	RunComplete = "complete"
)

// RunStates keeps sync_runs.state and completed_at. A run is open until the
// sync.completed webhook or a quiet period completes it; a late file reopens it.
// Runs without a sync_runs row (no metadata.json loaded yet) are not tracked.
type RunStates interface {
	// ReopenRuns marks these runs open again, clearing completed_at; it returns
	// how many were complete.
	ReopenRuns(ctx context.Context, runs []RunRef) (int64, error)
	// CompleteRuns marks these runs complete at `at`; it returns how many were
	// open. Runs already complete keep their completed_at.
	CompleteRuns(ctx context.Context, runs []RunRef, at time.Time) (int64, error)
	// CompleteQuietRuns completes every open run with no file loaded since
	// cutoff, and returns how many it completed and how many stay open.
	CompleteQuietRuns(ctx context.Context, cutoff, at time.Time) (completed, open int64, err error)
}

// Leaser is a lease row in the warehouse: one holder at a time, and a holder
// that dies loses it when it expires. Daemons take it around each load so two
// of them never plan and load the same files.
type Leaser interface {
	// AcquireLease takes or renews the lease for ttl. When another holder has it
	// and it has not expired, ok is false and holder and until say who and how long.
	AcquireLease(ctx context.Context, name, me string, ttl time.Duration) (ok bool, holder string, until time.Time, err error)
	// ReleaseLease gives the lease up if me holds it.
	ReleaseLease(ctx context.Context, name, me string) error
}
