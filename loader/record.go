package loader

import (
	"context"
	"fmt"

	"github.com/synctrack/synctrack/warehouse"
)

// recordGone marks deleted the failed and quarantined versions of objects
// no longer in the bucket: they are no failure to report any more, nor a
// quarantine to count. Should one come back, it is loaded as a changed
// object.
func (l *Loader) recordGone(ctx context.Context, vs []warehouse.LedgerVersion, rep *Report) error {
	if len(vs) == 0 {
		return nil
	}
	es := make([]warehouse.LedgerEntry, len(vs))
	now := l.o.Now()
	for i, v := range vs {
		es[i] = warehouse.LedgerEntry{Key: v.Key, ETag: v.ETag, Kind: Classify(v.Key).Kind, Status: warehouse.StatusDeleted,
			Error:    warehouse.DeletedNote(v.Status, v.Attempts, now, ""),
			Attempts: v.Attempts}
		l.log.Info("object no longer in the bucket: its failure is marked deleted", "key", v.Key, "was", v.Status)
		rep.Deleted = append(rep.Deleted, v.Key)
	}
	if err := l.wh.Record(ctx, es); err != nil {
		return fmt.Errorf("record objects deleted from the bucket: %w", err)
	}
	return nil
}

// recordIgnored writes the ignored objects (no Sync Tracking data) to the
// ledger as skipped, so that later plans take this version as done and
// list it no more (decideVersion); a new version is recorded again.
func (l *Loader) recordIgnored(ctx context.Context, objs []Object) error {
	if len(objs) == 0 {
		return nil
	}
	now := l.o.Now().UTC()
	es := make([]warehouse.LedgerEntry, len(objs))
	for i, o := range objs {
		es[i] = warehouse.LedgerEntry{Key: o.Key, ETag: o.ETag, Size: o.Size, Kind: o.Kind,
			Status: warehouse.StatusSkipped, Error: "not Sync Tracking data: ignored",
			Attempts: 1, FirstSeenAt: now}
	}
	if err := l.wh.Record(ctx, es); err != nil {
		return fmt.Errorf("record ignored objects: %w", err)
	}
	return nil
}
