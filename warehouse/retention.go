package warehouse

import (
	"errors"
	"fmt"
	"time"
)

// StatusExpired is a records file whose rows retention deleted: its rows
// were all older than the cutoff. Planning treats it as done, so a file
// still in the bucket is never loaded again; a new version (etag) of it is
// a new object and loads (then expires again if its rows are as old).
const StatusExpired = "expired"

// Retention is one retention pass: delete the rows older than Cutoff.
type Retention struct {
	// Days is how many UTC days are kept, today included; zero keeps
	// everything (a pass that only undoes what an earlier retention set up,
	// as BigQuery's partition expiration).
	Days int
	// Cutoff is the start of the oldest UTC day kept: rows whose
	// batch_started_at is before it go.
	Cutoff time.Time
}

// NewRetention is the pass that keeps days UTC days at now: today and the
// days-1 before it. This is the boundary BigQuery's partition expiration
// draws (a day's partition expires at its start plus the expiration), so
// every engine keeps the same rows.
func NewRetention(days int, now time.Time) Retention {
	if days <= 0 {
		return Retention{} // keep everything
	}
	t := now.UTC()
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return Retention{Days: days, Cutoff: today.AddDate(0, 0, -(days - 1))}
}

// Note is what an expired file's ledger row says in its error column.
func (r Retention) Note() string {
	return fmt.Sprintf("expired: retention keeps %d days, rows before %s deleted", r.Days, r.Cutoff.Format(time.DateOnly))
}

// Expired is what one retention pass did.
type Expired struct {
	Rows  int64 // sync_records rows deleted
	Files int64 // records files left without rows, now expired in the ledger
}

// ExternalRetention is the error of retention asked of a warehouse in
// external mode, whose rows are the bucket's own files.
func ExternalRetention() error {
	return Wrap(errors.New("retention deletes loaded rows; in external mode the rows are the bucket's files, which synctrack never deletes"),
		Config, "external_mode", "expire the files with the bucket's lifecycle rules, or load in loaded mode")
}
