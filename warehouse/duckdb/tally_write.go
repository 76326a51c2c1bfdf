package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// The rows both counts tables get from a batch's Go groups, written by one
// INSERT each straight into the tables: the rows go as one bound JSON text
// that DuckDB's from_json unpacks. Bound as lists (a list a column, a value
// a row) they took DuckDB 25-36 ms to bind for the large shape's 920 groups,
// and the temporary table CountsFromGroups reads another 10; as JSON, the
// whole write takes about a third of that (BENCHMARKS.md, "The counts under
// 5%").

// outcomeRow is a run_outcome_counts row, fpRow a run_fingerprint_counts
// one, without _loaded_at (bound once). Timestamps are micros since 1970;
// nil is NULL.
type outcomeRow struct {
	Org     *string `json:"o"`
	Sync    *string `json:"s"`
	Run     *string `json:"r"`
	Started *int64  `json:"bs"`
	Ended   *int64  `json:"be"`
	Outcome string  `json:"oc"`
	Records int64   `json:"n"`
	File    string  `json:"k"`
}

type fpRow struct {
	Org         *string `json:"o"`
	Sync        *string `json:"s"`
	Run         *string `json:"r"`
	Started     *int64  `json:"bs"`
	Outcome     string  `json:"oc"`
	Fingerprint *string `json:"f"`
	Message     *string `json:"m"`
	Records     int64   `json:"n"`
	File        string  `json:"k"`
}

// tallyRows renders the groups of every part as rows of both tables: a
// file's outcome row sums its groups of that run, start and outcome over
// their fingerprints; its fingerprint rows are the groups that failed.
// False when a key or a path's id is not UTF-8 (the strings read from the
// files are checked as they are interned): JSON would change it, so the SQL
// pass counts that batch.
func tallyRows(t tallyResult) ([]outcomeRow, []fpRow, bool) {
	var outs []outcomeRow
	var fps []fpRow
	for i, p := range t.parts {
		str := func(id int32) *string {
			if id == nullID {
				return nil
			}
			return &p.strs[id]
		}
		stamp := func(us int64, ok bool) *int64 {
			if !ok {
				return nil
			}
			return &us
		}
		for j, groups := range p.files {
			f := t.files[i][j]
			if !utf8.ValidString(f.Key) || !utf8.ValidString(f.OrgID) || !utf8.ValidString(f.SyncID) || !utf8.ValidString(f.RunID) {
				return nil, nil, false
			}
			key := f.Key
			type outKey struct {
				org, sync, run int32
				started        int64
				startedOK      bool
				outcome        uint8
			}
			type outSum struct {
				rows    int64
				ended   int64
				endedOK bool
			}
			sums := map[outKey]*outSum{}
			var order []outKey
			for k, g := range groups {
				sk := outKey{k.org, k.sync, k.run, k.started, k.startedOK, k.outcome}
				s := sums[sk]
				if s == nil {
					s = &outSum{}
					sums[sk] = s
					order = append(order, sk)
				}
				s.rows += g.rows
				if g.endedOK && (!s.endedOK || g.ended > s.ended) {
					s.ended, s.endedOK = g.ended, true
				}
				if k.outcome != analysis.OutcomeSuccess {
					fps = append(fps, fpRow{str(k.org), str(k.sync), str(k.run), stamp(k.started, k.startedOK),
						analysis.OutcomeNames[k.outcome], str(k.fp), str(g.msg), g.rows, key})
				}
			}
			for _, k := range order {
				s := sums[k]
				outs = append(outs, outcomeRow{str(k.org), str(k.sync), str(k.run), stamp(k.started, k.startedOK),
					stamp(s.ended, s.endedOK), analysis.OutcomeNames[k.outcome], s.rows, key})
			}
		}
	}
	return outs, fps, true
}

// writeTally inserts the rows of tallyRows into both counts tables,
// _loaded_at now.
func (w *Warehouse) writeTally(ctx context.Context, tx *sql.Tx, outs []outcomeRow, fps []fpRow, now any) error {
	stamp := func(c string) string { return "CAST(make_timestamp(" + c + ") AS TIMESTAMPTZ)" }
	ids := `o::VARCHAR AS org_id, s::VARCHAR AS sync_configuration_id, r::VARCHAR AS sync_run_id, ` + stamp("bs") + ` AS batch_started_at`
	statements := []struct {
		table   string
		columns []dialects.Column
		rows    any
		n       int
		sel     string
		shape   string
	}{
		{dialects.OutcomeCountsTable, dialects.OutcomeCountsColumns, outs, len(outs),
			ids + `, ` + stamp("be") + ` AS batch_ended_at, oc AS outcome, n AS records, k AS _file, $1::TIMESTAMPTZ AS _loaded_at`,
			`[{"o":"VARCHAR","s":"VARCHAR","r":"VARCHAR","bs":"BIGINT","be":"BIGINT","oc":"VARCHAR","n":"BIGINT","k":"VARCHAR"}]`},
		{dialects.FingerprintCountsTable, dialects.FingerprintCountsColumns, fps, len(fps),
			ids + `, oc AS outcome, f AS fingerprint, m AS status_message, n AS records, k AS _file, $1::TIMESTAMPTZ AS _loaded_at`,
			`[{"o":"VARCHAR","s":"VARCHAR","r":"VARCHAR","bs":"BIGINT","oc":"VARCHAR","f":"VARCHAR","m":"VARCHAR","n":"BIGINT","k":"VARCHAR"}]`},
	}
	for _, s := range statements {
		if s.n == 0 {
			continue
		}
		doc, err := json.Marshal(s.rows)
		if err != nil {
			return fmt.Errorf("encode %s rows: %w", s.table, err)
		}
		q := "INSERT INTO " + w.table(s.table) + " (" + strings.Join(dialects.Names(s.columns), ", ") + ")\nSELECT " + s.sel +
			"\nFROM (SELECT unnest(from_json($2::JSON, '" + s.shape + "'), recursive := true))"
		if _, err := w.exec(ctx, tx, q, now, string(doc)); err != nil {
			return err
		}
	}
	return nil
}
