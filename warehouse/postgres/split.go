package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/warehouse"
)

// splitRows is the smallest batch (rows, from the footers) that loadSplit
// spreads over two connections: below it a batch takes milliseconds, and a
// second transaction's round trips would be most of them.
const splitRows = 5_000

// split divides a batch between the load's connections: files in turn, in
// batch (key) order, so both get as many files of each run and a BRIN page
// range, filled by both at once, still spans few keys. One part for a
// small batch, or when the pool has no second connection to spare (one
// stays free for the daemon's lease).
func (w *Warehouse) split(files []warehouse.File) [][]warehouse.File {
	var rows int64
	for _, f := range files {
		rows += f.Rows
	}
	if w.streams < 2 || len(files) < 2 || rows < w.splitRows {
		return [][]warehouse.File{files}
	}
	parts := make([][]warehouse.File, min(w.streams, len(files)))
	for i, f := range files {
		parts[i%len(parts)] = append(parts[i%len(parts)], f)
	}
	return parts
}

// loadSplit loads each part in a transaction of its own, all at once, and
// commits them only when every part succeeded, one after the other. A part
// that fails cancels and rolls back the others, and its error is the
// load's: a data error names its file as it would in one transaction. A
// crash between two commits leaves some parts loaded, each file with its
// ledger row and counts, the rest not: the next load plans from the ledger
// and loads those, so no file is lost or loaded twice.
func (w *Warehouse) loadSplit(ctx context.Context, parts [][]warehouse.File, now time.Time) (warehouse.Loaded, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	txs := make([]pgx.Tx, len(parts))
	rows := make([]int64, len(parts))
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
			cancel()
		}
	}
	for i, files := range parts {
		wg.Go(func() {
			tx, err := w.pool.Begin(ctx)
			if err != nil {
				fail(err)
				return
			}
			txs[i] = tx
			if rows[i], err = w.loadFiles(ctx, tx, files, now); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	rollback := func(from int) {
		for _, tx := range txs[from:] {
			if tx != nil {
				_ = tx.Rollback(context.WithoutCancel(ctx))
			}
		}
	}
	if first == nil {
		first = w.stillLocked(ctx)
	}
	if first != nil {
		rollback(0)
		return warehouse.Loaded{}, classify(first)
	}
	var total int64
	for i, tx := range txs {
		if err := tx.Commit(ctx); err != nil {
			rollback(i + 1)
			err = fmt.Errorf("commit part %d of %d (the parts before it are loaded, with their ledger rows): %w", i+1, len(parts), err)
			if i == 0 {
				return warehouse.Loaded{}, classify(err)
			}
			// Some files are loaded now, and the batch's Files still say
			// they were not seen: narrowed by the loader, they would be
			// loaded again without their old rows deleted. Transient stops
			// the load instead; the next plans from the ledger.
			return warehouse.Loaded{}, &warehouse.Error{Class: warehouse.Transient, Reason: "partly_committed", Err: err}
		}
		total += rows[i]
	}
	return warehouse.Loaded{Rows: total}, nil
}
