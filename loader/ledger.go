package loader

import (
	"context"

	"github.com/synctrack/synctrack/warehouse"
)

// Ledger is what planning needs of load_ledger: per key, the status and
// attempts of each version (etag) seen. It is kept lean because a daemon holds
// it for every object in the bucket.
type Ledger map[string][]Version

// Version is one ledger row as planning sees it.
type Version struct {
	ETag     string
	Status   string
	Attempts int
}

// versionOf is a ledger row as planning keeps it: the one conversion,
// whether the rows were read whole (NewLedger) or scanned by prefix.
func versionOf(v warehouse.LedgerVersion) Version {
	return Version{ETag: v.ETag, Status: v.Status, Attempts: v.Attempts}
}

// add indexes one ledger row.
func (l Ledger) add(v warehouse.LedgerVersion) {
	l[v.Key] = append(l[v.Key], versionOf(v))
}

// NewLedger indexes rows as the warehouse returned them.
func NewLedger(rows []warehouse.LedgerEntry) Ledger {
	l := make(Ledger, len(rows))
	for _, r := range rows {
		l.add(r.Version())
	}
	return l
}

// ReadLedger indexes the ledger src streams: only what planning keeps of
// each row (key, etag, status, attempts), never a row's error text or
// times, so a large ledger costs a plan its keys and little more.
func ReadLedger(ctx context.Context, src LedgerSource) (Ledger, error) {
	l := Ledger{}
	err := src.ScanLedger(ctx, "", func(v warehouse.LedgerVersion) error {
		l.add(v)
		return nil
	})
	return l, err
}
