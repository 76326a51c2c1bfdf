package conformance

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
)

// checkCounts compares the per-run counts tables with what the rows of
// sync_records give, grouped here in Go: run_outcome_counts per file,
// ids, batch start and outcome (sync_log's rule), run_fingerprint_counts
// per the same and the fingerprint of status_message (sql.Fingerprint, the Go
// reference the templates' SQL is tested against). A count left behind by a
// replaced file, or missing for a loaded one, shows as a line too many or
// too few.
func (s *scenario) checkCounts(t testing.TB) {
	t.Helper()
	if s.h.NoSQL != "" {
		if s.h.Counts == nil {
			t.Skip(s.h.NoSQL)
		}
		got, want := s.h.Counts(t, s.wh), s.rows(t)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("run_outcome_counts per file %v, want sync_records' rows %v", got, want)
		}
		return
	}
	wantOut, wantFP, examples := s.countsFromRecords(t)
	d, schema := s.wh.Dialect(), s.wh.Schema()
	rs, err := query(s.wh, "SELECT _file, org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, records, batch_ended_at, _loaded_at FROM "+
		d.Table(schema, dialects.OutcomeCountsTable))
	if err != nil {
		t.Fatalf("read run_outcome_counts: %v", err)
	}
	var gotOut []string
	for _, r := range rs {
		if r[8] == nil {
			t.Errorf("run_outcome_counts row %v has no _loaded_at", r)
		}
		gotOut = append(gotOut, line(r[:6])+" records="+fmt.Sprint(mustInt(t, r[6]))+" ended="+norm(r[7]))
	}
	compareLines(t, "run_outcome_counts", gotOut, wantOut)
	rs, err = query(s.wh, "SELECT _file, org_id, sync_configuration_id, sync_run_id, batch_started_at, outcome, fingerprint, records, status_message FROM "+
		d.Table(schema, dialects.FingerprintCountsTable))
	if err != nil {
		t.Fatalf("read run_fingerprint_counts: %v", err)
	}
	var gotFP []string
	for _, r := range rs {
		k := line(r[:7])
		gotFP = append(gotFP, k+" records="+fmt.Sprint(mustInt(t, r[7])))
		if !examples[k][norm(r[8])] {
			t.Errorf("run_fingerprint_counts %s: example message %q is none of its group's messages", k, norm(r[8]))
		}
	}
	compareLines(t, "run_fingerprint_counts", gotFP, wantFP)
}

// countsFromRecords reads every row of sync_records and groups it as the
// counts tables should; examples holds each fingerprint group's messages.
func (s *scenario) countsFromRecords(t testing.TB) (outcomes, fingerprints []string, examples map[string]map[string]bool) {
	t.Helper()
	rs, err := query(s.wh, "SELECT _file, org_id, sync_configuration_id, sync_run_id, batch_started_at, status, status_message, batch_ended_at FROM "+
		s.wh.Dialect().Table(s.wh.Schema(), "sync_records"))
	if err != nil {
		t.Fatalf("read sync_records: %v", err)
	}
	type agg struct {
		n     int64
		ended string
	}
	out, fp := map[string]*agg{}, map[string]int64{}
	examples = map[string]map[string]bool{}
	for _, r := range rs {
		outcome := "invalid"
		if st, ok := r[5].(string); ok {
			switch strings.ToLower(st) {
			case "succeeded":
				outcome = "success"
			case "rejected":
				outcome = "rejected"
			}
		}
		k := line(append(r[:5:5], outcome))
		a := out[k]
		if a == nil {
			a = &agg{ended: norm(r[7])}
			out[k] = a
		}
		a.n++
		if e := norm(r[7]); a.ended == "NULL" || e != "NULL" && e > a.ended {
			a.ended = e
		}
		if outcome == "success" {
			continue
		}
		var f any
		if msg, ok := r[6].(string); ok {
			f = analysis.Fingerprint(msg)
		}
		fk := line(append(r[:5:5], outcome, f))
		fp[fk]++
		if examples[fk] == nil {
			examples[fk] = map[string]bool{}
		}
		examples[fk][norm(r[6])] = true
	}
	for k, a := range out {
		outcomes = append(outcomes, k+" records="+fmt.Sprint(a.n)+" ended="+a.ended)
	}
	for k, n := range fp {
		fingerprints = append(fingerprints, k+" records="+fmt.Sprint(n))
	}
	return outcomes, fingerprints, examples
}

func compareLines(t testing.TB, table string, got, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: sync_records gives no groups, so the check proves nothing", table)
	}
	sort.Strings(got)
	sort.Strings(want)
	g, w := map[string]int{}, map[string]int{}
	for _, l := range got {
		g[l]++
	}
	for _, l := range want {
		w[l]++
	}
	for _, l := range got {
		if g[l] > w[l] {
			t.Errorf("%s has %s, which a GROUP BY over sync_records does not give", table, l)
			w[l]++
		}
	}
	for _, l := range want {
		if w[l] > g[l] {
			t.Errorf("%s lacks %s, which a GROUP BY over sync_records gives", table, l)
			g[l]++
		}
	}
}

func line(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = norm(v)
	}
	return strings.Join(parts, " | ")
}

// norm writes a value the same way whichever Go type an engine's driver
// hands it out as.
func norm(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000000Z")
	case []byte:
		return string(x)
	case *string:
		if x == nil {
			return "NULL"
		}
		return *x
	}
	return fmt.Sprint(v)
}

func mustInt(t testing.TB, v any) int64 {
	t.Helper()
	n, err := toInt(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
