package loader

import (
	"context"
	"fmt"
	"slices"

	"github.com/synctrack/synctrack/warehouse"
)

// factRebuild rebuilds one fact table from the files it is given: the
// rows of the others that keptRows names stay, and the ledger rows of
// gone, the table's loaded files deleted from the bucket, become deleted
// in the same transaction.
type factRebuild struct {
	l       *Loader
	table   string
	ws      []Work // the table's listed files, as planned
	held    []string
	gone    []warehouse.LedgerVersion
	cleared bool // a rebuild committed: gone's rows went, and its ledger rows say so
}

func (rb *factRebuild) replace(ctx context.Context, files []warehouse.File) error {
	keep := keptRows(rb.ws, files, rb.held)
	now := rb.l.o.Now()
	for _, v := range rb.gone {
		keep.Deleted = append(keep.Deleted, warehouse.LedgerEntry{Key: v.Key, ETag: v.ETag, Kind: KindFact,
			Status:   warehouse.StatusDeleted,
			Error:    warehouse.DeletedNote(warehouse.StatusLoaded, v.Attempts, now, rb.table),
			Attempts: v.Attempts})
	}
	err := rb.l.wh.ReplaceFacts(ctx, rb.table, files, keep)
	rb.cleared = rb.cleared || err == nil
	return err
}

// report tells of the gone files once a rebuild took their rows out.
func (rb *factRebuild) report(rep *Report) {
	if !rb.cleared {
		return
	}
	for _, v := range rb.gone {
		rb.l.log.Info("fact file no longer in the bucket: its rows left the table, marked deleted", "key", v.Key, "table", rb.table)
		rep.DeletedFacts = append(rep.DeletedFacts, v.Key)
	}
}

// clearGone rebuilds the table from its files loaded before, when files
// deleted from the bucket still have rows in it because every rebuild
// holding a new file failed with an error naming none: else their rows
// stayed until that new file was quarantined, loads later (a review).
// The rebuild shows the warehouse at work: the failed new file is to blame.
func (rb *factRebuild) clearGone(ctx context.Context, kept []warehouse.File, ws []Work, b *blame) error {
	if len(rb.gone) == 0 || rb.cleared {
		return nil
	}
	old := slices.DeleteFunc(slices.Clone(kept), func(f warehouse.File) bool { return isNew(ws, f.Key) })
	if err := rb.replace(ctx, old); err != nil {
		return fmt.Errorf("rebuild %s without the %d files deleted from the bucket: %w", rb.table, len(rb.gone), err)
	}
	b.ok(KindFact)
	return nil
}

// keptRows are the rows a rebuild from kept leaves as they are: those of
// the table's files loaded before (unchanged, or with a ledger row) that
// kept lacks, because their new version failed or was not read, and of
// held; and the files of kept that are new or changed, whose rows alone
// replace them.
func keptRows(ws []Work, kept []warehouse.File, held []string) warehouse.FactsKept {
	out := warehouse.FactsKept{Keys: slices.Clone(held)}
	for _, w := range ws {
		if (w.Seen || w.Reason == "") && !slices.ContainsFunc(kept, func(f warehouse.File) bool { return f.Key == w.Key }) {
			out.Keys = append(out.Keys, w.Key)
		}
	}
	if len(out.Keys) == 0 {
		return warehouse.FactsKept{}
	}
	for _, f := range kept {
		if isNew(ws, f.Key) {
			out.Newer = append(out.Newer, f.Key)
		}
	}
	return out
}
