package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// The per-run counts of a file, computed on the client while its rows
// stream to COPY: what sql.CountsInserts computes on the server from the
// rows just copied, without reading them again and without six
// regexp_replace calls per failed row on PostgreSQL's regex engine (three
// quarters of what the counts cost a large load). TestClientCountsMatchSQL
// holds the two equal row for row.

// nstr is a text value or NULL (ok false).
type nstr struct {
	s  string
	ok bool
}

// groupKey is what both counts tables group a file's rows by: fp is NULL
// for a success (and for a NULL message); started is microseconds since
// 2000 (timestamptz's own), startedOK false for NULL.
type groupKey struct {
	org, sync, run nstr
	started        int64
	startedOK      bool
	outcome        uint8
	fp             nstr
}

type group struct {
	rows    int64
	ended   int64 // max(batch_ended_at), microseconds since 2000
	endedOK bool
	msg     nstr // min(status_message) in byte order
}

// tally is one file's groups.
type tally struct {
	groups map[groupKey]*group
	fp     *analysis.Fingerprinter
}

// countRow is what the counts read of one row: the values as COPY wrote
// them (strings may point into the reader's buffers: add copies what it
// keeps).
type countRow struct {
	org, sync, run, status, msg nstr
	started, ended              int64
	startedOK, endedOK          bool
}

// outcomeOf is dialects.OutcomeSQL of a status, NULL included.
func outcomeOf(status nstr) uint8 {
	if !status.ok {
		return analysis.OutcomeInvalid
	}
	return analysis.OutcomeOf(status.s)
}

func (t *tally) add(r *countRow) {
	k := groupKey{org: r.org, sync: r.sync, run: r.run, started: r.started, startedOK: r.startedOK, outcome: outcomeOf(r.status)}
	var msg nstr
	if k.outcome != analysis.OutcomeSuccess && r.msg.ok {
		msg = r.msg
		k.fp = nstr{t.fp.Fingerprint(r.msg.s), true}
	}
	g := t.groups[k]
	if g == nil {
		k.org.s, k.sync.s, k.run.s, k.fp.s = clone(k.org.s), clone(k.sync.s), clone(k.run.s), clone(k.fp.s)
		g = &group{}
		t.groups[k] = g
	}
	g.rows++
	if r.endedOK && (!g.endedOK || r.ended > g.ended) {
		g.ended, g.endedOK = r.ended, true
	}
	if msg.ok && (!g.msg.ok || msg.s < g.msg.s) {
		g.msg = nstr{clone(msg.s), true}
	}
}

func clone(s string) string {
	if s == "" {
		return ""
	}
	return strings.Clone(s)
}

// countRows renders the rows of both counts tables for files' tallies (nil
// for a file without rows), in their columns' order, as CountsInserts
// would write them: the outcome counts sum a file's groups over
// fingerprints, the fingerprint counts are its groups that are not a
// success.
func countRows(keys []string, tallies []*tally, loadedAt time.Time) (outcomes, fingerprints [][]any) {
	loaded := microsTime(timestamptzMicros(loadedAt))
	type outcomeKey struct {
		org, sync, run nstr
		started        int64
		startedOK      bool
		outcome        uint8
	}
	for i, t := range tallies {
		if t == nil {
			continue
		}
		var sums analysis.OutcomeSums[outcomeKey]
		for k, g := range t.groups {
			sums.Add(outcomeKey{k.org, k.sync, k.run, k.started, k.startedOK, k.outcome}, g.rows, g.ended, g.endedOK)
			if k.outcome == analysis.OutcomeSuccess {
				continue
			}
			fingerprints = append(fingerprints, []any{nstrArg(k.org), nstrArg(k.sync), nstrArg(k.run), stampArg(k.started, k.startedOK),
				analysis.OutcomeNames[k.outcome], nstrArg(k.fp), nstrArg(g.msg), g.rows, keys[i], loaded})
		}
		for _, k := range sums.Order {
			s := sums.Of(k)
			outcomes = append(outcomes, []any{nstrArg(k.org), nstrArg(k.sync), nstrArg(k.run), stampArg(k.started, k.startedOK),
				stampArg(s.Ended, s.EndedOK), analysis.OutcomeNames[k.outcome], s.Rows, keys[i], loaded})
		}
	}
	return outcomes, fingerprints
}

func nstrArg(v nstr) any {
	if !v.ok {
		return nil
	}
	return v.s
}

func stampArg(us int64, ok bool) any {
	if !ok {
		return nil
	}
	return microsTime(us)
}

// writeCounts writes the counts of a load's files in tx: one COPY per
// table, a few rows per file.
func (w *Warehouse) writeCounts(ctx context.Context, tx pgx.Tx, keys []string, tallies []*tally, loadedAt time.Time) error {
	outcomes, fingerprints := countRows(keys, tallies, loadedAt)
	for _, t := range []struct {
		name string
		cols []dialects.Column
		rows [][]any
	}{{dialects.OutcomeCountsTable, dialects.OutcomeCountsColumns, outcomes},
		{dialects.FingerprintCountsTable, dialects.FingerprintCountsColumns, fingerprints}} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{w.schema, t.name}, dialects.Names(t.cols), pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("count rows: %w", err)
		}
	}
	return nil
}
