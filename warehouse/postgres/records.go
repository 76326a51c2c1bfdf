package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// LoadRecords replaces the rows of files and writes their ledger rows. Each
// transaction holds, for its files: one DELETE (only when a file was seen
// before, so may have rows), one binary COPY of their rows straight into
// sync_records (copyStream), the per-run counts (counted on the client as
// the rows stream, tally.go: one small COPY per counts table), one ledger
// upsert. COPY
// into the table itself, not into a staging table first: the transaction
// makes it all-or-nothing either way, and a staging table would write
// every row twice.
//
// A large batch is split over two transactions on two connections that
// run at once (loadSplit): the server parses every payload into jsonb, and
// one backend does that on one core. Each file's rows, counts and ledger
// row still commit together, so exactly-once holds per file.
//
// A file that cannot be read, or whose row PostgreSQL refuses, is a data
// error naming it (Error.Keys): the COPY says at which line it stopped, and
// the source knows which file that line came from.
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	if len(files) == 0 {
		return warehouse.Loaded{}, nil
	}
	if err := w.lockLoads(ctx); err != nil {
		return warehouse.Loaded{}, err
	}
	now := w.now().UTC()
	if parts := w.split(files); len(parts) > 1 {
		return w.loadSplit(ctx, parts, now)
	}
	var total int64
	err := w.inTx(ctx, func(tx pgx.Tx) error {
		n, err := w.loadFiles(ctx, tx, files, now)
		total = n
		return err
	})
	if err != nil {
		return warehouse.Loaded{}, err
	}
	return warehouse.Loaded{Rows: total}, nil
}

// loadFiles writes files' rows, counts and ledger rows in tx.
func (w *Warehouse) loadFiles(ctx context.Context, tx pgx.Tx, files []warehouse.File, now time.Time) (int64, error) {
	src := newRecordSource(ctx, files, now, !w.noCounts)
	defer src.close()
	if seen := seenKeys(files); len(seen) > 0 {
		for _, t := range []string{"sync_records", dialects.OutcomeCountsTable, dialects.FingerprintCountsTable} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+w.table(t)+` WHERE _file = ANY($1)`, seen); err != nil {
				return 0, fmt.Errorf("delete old rows: %w", err)
			}
		}
	}
	w.log.Debug("copy", "table", "sync_records", "files", len(files))
	cs := &copyStream{src: src}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, cs, recordsCopy(w.d, w.schema))
	cs.finish() // pgconn may still be reading: wait for it before src is read or closed
	if err != nil {
		return 0, src.blame(err)
	}
	if !w.noCounts {
		keys := make([]string, len(files))
		tallies := make([]*tally, len(files))
		for i, f := range files {
			keys[i], tallies[i] = f.Key, src.stats[i].counts
		}
		if err := w.writeCounts(ctx, tx, keys, tallies, now); err != nil {
			return 0, err
		}
	}
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		note := f.Note
		if fixed := src.stats[i].fix.note(); fixed != "" {
			note = joinNotes(note, fixed)
		}
		es[i] = warehouse.LoadedEntry(f.Object, src.stats[i].rows, f.Attempts, note, now)
	}
	return tag.RowsAffected(), w.upsertLedger(ctx, tx, es)
}

func seenKeys(files []warehouse.File) []string {
	var out []string
	for _, f := range files {
		if f.Seen {
			out = append(out, f.Key)
		}
	}
	return out
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// copyLine finds the line of a COPY error's context: "COPY sync_records,
// line 12, column record_payload". PostgreSQL counts lines from 1, one per
// row in the binary format too.
var copyLine = regexp.MustCompile(`^COPY [^,]*, line (\d+)`)

// blame classifies a failed COPY. The source's own errors (a file it could
// not read) already name their file; a data error PostgreSQL raised at a
// line is pinned on the file that line came from.
func (s *recordSource) blame(err error) error {
	// pgx hands a source's error to the server (CopyFail), which answers
	// with query_canceled quoting its text: the source's own is the one.
	if s.err != nil {
		return s.err
	}
	err = classify(err)
	var e *warehouse.Error
	var pe *pgconn.PgError
	if !errors.As(err, &e) || e.Class != warehouse.Data || !errors.As(err, &pe) {
		return err
	}
	if m := copyLine.FindStringSubmatch(pe.Where); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if i := s.fileAt(n); i >= 0 {
			e.Keys = []string{s.files[i].Key}
			e.Err = fmt.Errorf("%s: row %d: %w", s.files[i].Key, n-s.stats[i].first, e.Err)
		}
	}
	return err
}
