package bigquery

import (
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

func (w *Warehouse) uri(key string) string { return "gs://" + w.bucket + "/" + key }

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// filesArray renders the batch's files (dialects.FilesType); n is the index.
func (w *Warehouse) filesArray(objs []warehouse.Object) string {
	rows := make([][]any, len(objs))
	for i, o := range objs {
		var uri, num, mtime any
		if w.bucket != "" {
			uri = w.uri(o.Key)
		}
		if o.BatchNumber != nil {
			num = *o.BatchNumber
		}
		if !o.ModTime.IsZero() {
			mtime = o.ModTime.UTC()
		}
		rows[i] = []any{i, uri, o.Key, orNil(o.OrgID), orNil(o.SyncID), orNil(o.RunID), orNil(o.BatchType), num, mtime}
	}
	return w.d.Array(dialects.FilesType, rows)
}

// ledgerArray renders ledger rows (dialects.LedgerType).
func (w *Warehouse) ledgerArray(es []warehouse.LedgerEntry) string {
	rows := make([][]any, len(es))
	now := w.now().UTC()
	for i, e := range es {
		first := e.FirstSeenAt
		if first.IsZero() {
			first = now
		}
		var loaded any
		if e.LoadedAt != nil {
			loaded = e.LoadedAt.UTC()
		}
		rows[i] = []any{e.Key, e.ETag, e.Size, string(e.Kind), e.Status, e.Rows, orNil(e.Error),
			int64(e.Attempts), first.UTC(), loaded}
	}
	return w.d.Array(dialects.LedgerType, rows)
}

func loadedEntry(o warehouse.Object, rows int64, attempts int, now time.Time) warehouse.LedgerEntry {
	t := now.UTC()
	return warehouse.LedgerEntry{Key: o.Key, ETag: o.ETag, Size: o.Size, Kind: o.Kind,
		Status: warehouse.StatusLoaded, Rows: rows, Attempts: max(attempts, 1), FirstSeenAt: t, LoadedAt: &t}
}
