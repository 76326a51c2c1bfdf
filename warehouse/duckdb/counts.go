package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/cputime"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// backfillCounts fills the counts tables of a schema made before them: rows
// in sync_records and none in run_outcome_counts can only mean that, since
// every load writes a file's counts with its rows (each row has an outcome).
// One transaction empties and refills both, so a crash leaves them empty and
// the next open fills them again; a schema with counts is left alone.
func (w *Warehouse) backfillCounts(ctx context.Context) error {
	var need bool
	q := `SELECT EXISTS (SELECT 1 FROM ` + w.table("sync_records") + `) AND NOT EXISTS (SELECT 1 FROM ` +
		w.table(dialects.OutcomeCountsTable) + `)`
	if err := w.db.QueryRowContext(ctx, q).Scan(&need); err != nil {
		return classify(fmt.Errorf("check run counts: %w", err), nil)
	}
	if !need {
		return nil
	}
	err := w.inTx(ctx, nil, func(tx *sql.Tx) error {
		for _, s := range analysis.CountsDeletes(w.d, w.schema) {
			if _, err := w.exec(ctx, tx, s); err != nil {
				return err
			}
		}
		return w.writeCounts(ctx, tx, "TRUE")
	})
	if err != nil {
		return fmt.Errorf("backfill run counts from sync_records: %w", err)
	}
	w.log.Info("backfilled run counts from sync_records", "schema", w.schema)
	return nil
}

// countGroups is the temporary table writeCounts groups the rows into.
const countGroups = "_st_counts"

// writeCounts writes the per-run counts of the sync_records rows aliased r
// that where selects, args bound to its placeholders: one pass over the rows
// into countGroups (the fingerprint by the Go function, not six regexp
// replacements per row), then both counts tables from those few groups.
// Before, two INSERTs each read the rows, the second with the regexps: they
// took 15-35% of a load's time; BENCHMARKS.md, "What the counts cost a load".
func (w *Warehouse) writeCounts(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	q := "CREATE OR REPLACE TEMP TABLE " + countGroups + " AS\n" + analysis.CountGroups(w.d, w.schema, where, fingerprint)
	if _, err := w.exec(ctx, tx, q, args...); err != nil {
		return err
	}
	return w.countsFromGroups(ctx, tx)
}

// countsFromGroups fills both counts tables from countGroups, then drops it.
func (w *Warehouse) countsFromGroups(ctx context.Context, tx *sql.Tx) error {
	for _, s := range analysis.CountsFromGroups(w.d, w.schema, countGroups) {
		if _, err := w.exec(ctx, tx, s); err != nil {
			return err
		}
	}
	_, err := w.exec(ctx, tx, "DROP TABLE "+countGroups)
	return err
}

// tallyResult is a batch's counts grouped in Go, in parts (one per worker,
// each with its files), or why not.
type tallyResult struct {
	parts   []*batchTally
	files   [][]warehouse.File
	err     error
	elapsed time.Duration
	cpu     time.Duration // the process's: DuckDB is idle meanwhile
}

// tallyBatch groups files' rows on up to workers goroutines, each its share
// of the files (a file's groups are its own). A panic of the parquet
// reader on a malformed file is an error, and the SQL pass counts the
// batch.
func tallyBatch(files []warehouse.File, read []os.FileInfo, workers int) tallyResult {
	start, cpu := time.Now(), cputime.Process()
	var r tallyResult
	// Files prepared at staging (prepare.go), if the INSERT read that same
	// file; the rest are read here.
	preps, prepFiles, rest := splitPrepared(files, read)
	workers = max(1, min(workers, len(rest)+len(preps)))
	var rows int64
	for _, f := range files {
		rows += f.Rows
	}
	parts := make([]*batchTally, workers)
	shares := make([][]warehouse.File, workers)
	errs := make([]error, workers)
	// Which prepared files a worker took in this call: one taken by an
	// earlier try of the batch (a retry of its files one by one) is in
	// prepTaken too, and its groups went with that try.
	taken := make([]bool, len(preps))
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("group counts: %v", p)
				}
			}()
			// One tally for all the files this worker reads, sized for its
			// share of the batch: the prepared files the background has not
			// begun (their footers already decoded), then its share of the
			// rest. A tally a file, as the background makes, re-fingerprints
			// what the files repeat and grows its index as it goes: a load of
			// one batch grouped 30-50% slower that way.
			// On an error the worker stops: the batch goes to the SQL pass.
			t := newBatchTally(rows / int64(workers))
			for j := int(next.Add(1) - 1); j < len(preps); j = int(next.Add(1) - 1) {
				if p := preps[j]; p.state.CompareAndSwap(prepTodo, prepTaken) {
					taken[j] = true
					if errs[i] = t.addTaken(p); errs[i] != nil {
						return
					}
					shares[i] = append(shares[i], prepFiles[j])
				}
			}
			for k := i; k < len(rest); k += workers {
				if errs[i] = t.addFile(rest[k]); errs[i] != nil {
					return
				}
				shares[i] = append(shares[i], rest[k])
			}
			if len(t.files) > 0 {
				parts[i] = t
			}
		}()
	}
	wg.Wait()
	// A prepared file that failed (perhaps for a passing reason: it could
	// not be opened), that the background is still on, at its low
	// priority, or that an earlier try took, is grouped again here rather
	// than waited for.
	again := r.collectPrepared(preps, prepFiles, taken)
	if len(again) > 0 {
		t, err := tallyFiles(again)
		parts, shares, errs = append(parts, t), append(shares, again), append(errs, err)
	}
	for i, t := range parts {
		if t != nil {
			r.parts, r.files = append(r.parts, t), append(r.files, shares[i])
		}
	}
	if r.err = errors.Join(errs...); r.err != nil {
		return r
	}
	// Each part keeps its strings within maxTallyBytes; so does the batch.
	var kept int64
	for _, t := range r.parts {
		kept += t.kept
	}
	if kept > maxTallyBytes {
		r.err = fmt.Errorf("%w: over %d MiB of distinct strings", errNoTally, maxTallyBytes>>20)
		return r
	}
	r.checkStampKinds()
	r.elapsed, r.cpu = time.Since(start), cputime.Process()-cpu
	return r
}

// splitPrepared splits files into those prepared at staging whose local
// copy the INSERT read (read, from statFiles), with their preparations, and
// the rest, which tallyBatch reads itself.
func splitPrepared(files []warehouse.File, read []os.FileInfo) (preps []*prepared, prepFiles, rest []warehouse.File) {
	for i, f := range files {
		if p, ok := f.Prepared.(*prepared); ok && read != nil && sameFile(p.info, read[i]) {
			preps, prepFiles = append(preps, p), append(prepFiles, f)
			continue
		}
		rest = append(rest, f)
	}
	return preps, prepFiles, rest
}

// collectPrepared adds to r the groups of the prepared files the background
// finished, counts in tallyPrepared those and the ones a worker took
// (taken), and returns the rest, for tallyBatch to group itself.
func (r *tallyResult) collectPrepared(preps []*prepared, prepFiles []warehouse.File, taken []bool) []warehouse.File {
	var again []warehouse.File
	staged := 0
	for i, p := range preps {
		if taken[i] {
			staged++ // a worker's, in tallyBatch
			continue
		}
		if t, ok := p.done(); ok {
			r.parts, r.files = append(r.parts, t), append(r.files, []warehouse.File{prepFiles[i]})
			staged++
			continue
		}
		again = append(again, prepFiles[i])
	}
	tallyPrepared.Add(int64(staged))
	return again
}

// checkStampKinds sets r.err when the parts' files differ in a timestamp's
// type in a way the batch reads otherwise than each file (sameStampKind):
// their rows are then left to the SQL pass.
func (r *tallyResult) checkStampKinds() {
	var kinds [2]uint8
	for _, p := range r.parts {
		kinds[0], kinds[1] = kinds[0]|p.kinds[0], kinds[1]|p.kinds[1]
	}
	for _, k := range kinds {
		if !sameStampKind(k) {
			r.err = errNoTally
		}
	}
}

// countBatch writes the counts of the rows a load just inserted (_loaded_at
// now): from the groups tallied in Go, or, when a file holds a type they do
// not read exactly (or cannot be read), by the SQL pass over the rows.
func (w *Warehouse) countBatch(ctx context.Context, conn *sql.Conn, tx *sql.Tx, files []warehouse.File, read []os.FileInfo, now time.Time) error {
	if w.noCounts {
		return nil
	}
	t := tallyBatch(files, read, runtime.GOMAXPROCS(0))
	if t.err == nil && !sameFiles(files, read) {
		// A file:// bucket's objects are read in place: one replaced
		// between the INSERT and the Go read would give counts of other
		// rows than those stored.
		t.err = fmt.Errorf("%w: a file changed while its rows were loaded", errNoTally)
	}
	var outs []outcomeRow
	var fps []fpRow
	if t.err == nil {
		var ok bool
		if outs, fps, ok = tallyRows(t); !ok {
			t.err = fmt.Errorf("%w: a key twice in the batch, or a key or a path's id not UTF-8", errNoTally)
		}
	}
	if t.err != nil {
		if !isNoTally(t.err) {
			w.log.Warn("counts not grouped from the files, counting the stored rows", "err", t.err)
		} else {
			w.log.Debug("counts not grouped from the files, counting the stored rows", "reason", t.err)
		}
		tallyFallbacks.Add(1)
		// The rows just inserted, and only those: _loaded_at = now lets
		// DuckDB skip every older row group by its min/max before the
		// join on _file.
		return w.writeCounts(ctx, tx, `r._loaded_at = $1 AND r._file IN (SELECT key FROM _st_batch)`, now)
	}
	w.log.Debug("counts grouped from the files", "elapsed", t.elapsed, "cpu", t.cpu)
	return w.appendTally(ctx, conn, outs, fps, now)
}

// SkipCounts makes this handle's loads write no counts: for `synctrack
// bench`'s load without them, the before of what they cost.
func (w *Warehouse) SkipCounts() { w.noCounts = true }

// isNoTally says err is errNoTally alone (errors.Join wraps one per worker).
func isNoTally(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !errors.Is(e, errNoTally) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, errNoTally)
}
