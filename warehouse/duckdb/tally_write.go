package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// The rows both counts tables get from a batch's Go groups go straight into
// the tables through DuckDB's Appender, on the connection of the load's
// transaction (so they commit or roll back with the rows). Bound to one
// INSERT as lists (a list a column, a value a row) they took DuckDB 20-40
// µs a row to bind, and as one JSON text as long: 1.2-2 s of a 3 s load of
// 5,000 small files, whose 54,000 groups the Appender writes in a few ms
// (BENCHMARKS.md, "The counts on a quiet machine").

// outcomeRow is a run_outcome_counts row, fpRow a run_fingerprint_counts
// one, without _loaded_at (the same for all), as the Appender takes them:
// each value boxed once for all the rows that share it (a batch of 1,000
// small files has some 14,000 rows: rendering them took 3.8 ms and 25,000
// allocations boxed a row at a time, under 2 ms so). nil is NULL.
type outcomeRow struct {
	org, sync, run driver.Value // string
	started, ended driver.Value // time.Time
	outcome        driver.Value // string
	records        int64
	file           driver.Value // string
}

type fpRow struct {
	org, sync, run       driver.Value
	started              driver.Value
	outcome              driver.Value
	fingerprint, message driver.Value
	records              int64
	file                 driver.Value
}

// stored says s is stored as it is (dialects.StoredText): _st_batch, where
// the rows' _file and path ids come from, holds a key without its NUL bytes
// and with invalid UTF-8 replaced, which the SQL pass groups by.
func stored(s string) bool { return dialects.StoredText(s) == s }

// outcomeValues are the outcomes' names, boxed once.
var outcomeValues = func() (v [len(analysis.OutcomeNames)]driver.Value) {
	for i, n := range analysis.OutcomeNames {
		v[i] = n
	}
	return v
}()

// tallyRows renders the groups of every part as rows of both tables: a
// file's outcome row sums its groups of that run, start and outcome over
// their fingerprints; its fingerprint rows are the groups that failed.
// False when a key comes twice (the SQL pass groups by _file: one row where
// this would write two), or when a key or a path's id is not stored as it
// is (a NUL byte, or not UTF-8; the strings read from the files are checked
// for UTF-8 as they are interned): the rows' _file would not be this key,
// and what DuckDB's C API does with bytes that are not UTF-8 in an appended
// chunk is not something to rely on, so the SQL pass counts that batch.
func tallyRows(t tallyResult) ([]outcomeRow, []fpRow, bool) {
	nf, ng := 0, 0
	for _, p := range t.parts {
		nf += len(p.files)
		for _, g := range p.files {
			ng += len(g)
		}
	}
	outs := make([]outcomeRow, 0, nf*len(analysis.OutcomeNames))
	fps := make([]fpRow, 0, ng)
	seen := make(map[string]bool, nf)
	type outKey struct {
		org, sync, run int32
		started        int64
		startedOK      bool
		outcome        uint8
	}
	var sums analysis.OutcomeSums[outKey]
	for i, p := range t.parts {
		// Only the strings the rows use (a part's strs may hold millions
		// of messages that are no group's example).
		boxed := map[int32]driver.Value{}
		str := func(id int32) driver.Value {
			if id == nullID {
				return nil
			}
			v, ok := boxed[id]
			if !ok {
				v = p.strs[id]
				boxed[id] = v
			}
			return v
		}
		// A file's rows mostly share one batch start and one end: each
		// boxed once (a cache of its own for each column, as an outcome
		// row asks for both).
		started, ended := stampCache{}, stampCache{}
		for j, groups := range p.files {
			f := t.files[i][j]
			if !stored(f.Key) || !stored(f.OrgID) || !stored(f.SyncID) || !stored(f.RunID) || seen[f.Key] {
				return nil, nil, false
			}
			seen[f.Key] = true
			var file driver.Value = f.Key
			sums.Reset()
			for k, g := range groups {
				sums.Add(outKey{k.org, k.sync, k.run, k.started, k.startedOK, k.outcome}, g.rows, g.ended, g.endedOK)
				if k.outcome != analysis.OutcomeSuccess {
					fps = append(fps, fpRow{str(k.org), str(k.sync), str(k.run), started.box(k.started, k.startedOK),
						outcomeValues[k.outcome], str(k.fp), str(g.msg), g.rows, file})
				}
			}
			for _, k := range sums.Order {
				s := sums.Of(k)
				outs = append(outs, outcomeRow{str(k.org), str(k.sync), str(k.run), started.box(k.started, k.startedOK),
					ended.box(s.Ended, s.EndedOK), outcomeValues[k.outcome], s.Rows, file})
			}
		}
	}
	return outs, fps, true
}

// stampCache boxes a timestamp (micros since 1970) as the Appender takes it,
// reusing the box while the same instant comes again; nil when not ok.
type stampCache struct {
	us int64
	v  driver.Value
}

func (c *stampCache) box(us int64, ok bool) driver.Value {
	if !ok {
		return nil
	}
	if c.v == nil || us != c.us {
		c.us, c.v = us, time.UnixMicro(us).UTC()
	}
	return c.v
}

// appendTally appends the rows of tallyRows to both counts tables,
// _loaded_at now, in the transaction open on conn.
func (w *Warehouse) appendTally(ctx context.Context, conn *sql.Conn, outs []outcomeRow, fps []fpRow, now time.Time) error {
	var at driver.Value = now
	start := time.Now()
	err := w.onDriverConn(ctx, conn, func(c driver.Conn) error {
		err := w.appendRows(c, "", w.schema, dialects.OutcomeCountsTable, dialects.Names(dialects.OutcomeCountsColumns), len(outs), func(a *duckdb.Appender, i int) error {
			r := &outs[i]
			return a.AppendRow(r.org, r.sync, r.run, r.started, r.ended, r.outcome, r.records, r.file, at)
		})
		if err != nil {
			return err
		}
		return w.appendRows(c, "", w.schema, dialects.FingerprintCountsTable, dialects.Names(dialects.FingerprintCountsColumns), len(fps), func(a *duckdb.Appender, i int) error {
			r := &fps[i]
			return a.AppendRow(r.org, r.sync, r.run, r.started, r.outcome, r.fingerprint, r.message, r.records, r.file, at)
		})
	})
	w.log.Debug("counts appended", "outcome rows", len(outs), "fingerprint rows", len(fps), "elapsed", time.Since(start))
	return err
}

// onDriverConn runs fn with the driver connection under conn, on which a
// transaction is open: an Appender's rows are then the transaction's.
func (w *Warehouse) onDriverConn(ctx context.Context, conn *sql.Conn, fn func(driver.Conn) error) error {
	return conn.Raw(func(dc any) (err error) {
		// A panic must not leave Raw: its release would close the Conn,
		// which waits for the open Tx forever.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("append: %v", p)
			}
		}()
		// The Tx is rolled back once ctx is done, then the Conn is in
		// autocommit: holding the driver conn, a live ctx means it is not yet.
		if err := ctx.Err(); err != nil {
			return err
		}
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("append: the connection is a %T", dc)
		}
		return fn(c)
	})
}

// appendRows appends n rows to catalog.schema.table ("" for the default
// catalog), in columns' order, through one Appender, closed (so flushed)
// before it returns.
func (w *Warehouse) appendRows(c driver.Conn, catalog, schema, table string, columns []string, n int, row func(*duckdb.Appender, int) error) error {
	if n == 0 {
		return nil
	}
	a, err := duckdb.NewAppenderWithColumns(c, catalog, schema, table, columns)
	if err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	for i := range n {
		if err := row(a, i); err != nil {
			_ = a.Close()
			return fmt.Errorf("append to %s: %w", table, err)
		}
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	return nil
}
