package sql_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dialects"
	tsql "github.com/synctrack/synctrack/sql"
)

// scenarios are the parameter sets every template runs with; a template runs
// a scenario only when it takes all of its parameters.
func (f *fixture) scenarios() []tsql.Values {
	r := f.rows[len(f.rows)/2]
	starts := make([]time.Time, len(f.rows))
	for i, x := range f.rows {
		starts[i] = x.started
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	return []tsql.Values{
		{},
		{tsql.ParamSync: r.sync},
		{tsql.ParamSync: r.sync, tsql.ParamRun: r.run},
		{tsql.ParamSince: starts[len(starts)/2]},
		{tsql.ParamN: 1},
		{tsql.ParamStatus: "rejected", tsql.ParamSync: r.sync},
		{tsql.ParamStatus: "invalid"},
		{tsql.ParamIdentifier: f.busyIdentifier()},
		{tsql.ParamIdentifier: f.busyIdentifier(), tsql.ParamSync: r.sync},
	}
}

// busyIdentifier is an identifier with rows in the most runs.
func (f *fixture) busyIdentifier() string {
	runs := map[string]map[string]bool{}
	for _, r := range f.rows {
		if runs[r.ident] == nil {
			runs[r.ident] = map[string]bool{}
		}
		runs[r.ident][runKey(r)] = true
	}
	best := ""
	for id, rs := range runs {
		if len(rs) > len(runs[best]) || (len(rs) == len(runs[best]) && id < best) {
			best = id
		}
	}
	return best
}

func filter(rows []rawRow, v tsql.Values) []rawRow {
	var out []rawRow
	for _, r := range rows {
		if s, ok := v[tsql.ParamSync]; ok && r.sync != s {
			continue
		}
		if s, ok := v[tsql.ParamRun]; ok && r.run != s {
			continue
		}
		if s, ok := v[tsql.ParamStatus]; ok && r.outcome() != s {
			continue
		}
		if s, ok := v[tsql.ParamIdentifier]; ok && r.ident != s {
			continue
		}
		if s, ok := v[tsql.ParamSince]; ok && r.started.Before(s.(time.Time)) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Every template, with every scenario it takes, returns on DuckDB what the
// test computes itself from the raw parquet files, metadata.json and facts.
func TestTemplatesMatchRawFiles(t *testing.T) {
	f := loaded(t)
	ts, err := tsql.List("duckdb")
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range ts {
		e, ok := expectations[tp.Name]
		if !ok {
			t.Errorf("template %s has no independent check", tp.Name)
			continue
		}
		ran := 0
		for _, sc := range f.scenarios() {
			if !takes(tp, sc) {
				continue
			}
			ran++
			want := e.want(f, filter(f.rows, sc), sc)
			sort.Strings(want)
			got := project(f.run(t, tp.Name, sc), e.cols)
			if _, byID := sc[tsql.ParamIdentifier]; len(want) == 0 && (len(sc) == 0 || len(sc) == 1 && byID) {
				t.Errorf("%s: the raw files give no rows, so the check proves nothing", tp.Name)
			}
			if len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
				t.Errorf("%s %v: %d rows, want %d\n%s", tp.Name, sc, len(got), len(want), firstDiff(got, want))
			}
		}
		if ran < 2 {
			t.Errorf("%s ran with %d scenarios; want at least 2", tp.Name, ran)
		}
	}
}

func takes(tp tsql.Template, v tsql.Values) bool {
	for p := range v {
		if !strings.Contains(" "+strings.Join(tp.Params, " ")+" ", " "+p+" ") {
			return false
		}
	}
	for _, r := range tp.Required {
		if _, ok := v[r]; !ok {
			return false
		}
	}
	return true
}

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("first difference at %d:\n got %s\nwant %s", i, g, w)
		}
	}
	return ""
}

// rejections_by_message is the seed's query: run the seed over the raw files.
func TestRejectionsByMessageIsTheSeedQuery(t *testing.T) {
	f := loaded(t)
	glob := filepath.Join(f.dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet")
	rs, err := f.db.Query(`SELECT status_message, count(*), list_sort(ARRAY_AGG(CAST(identifier AS VARCHAR))) AS rejected_records
FROM read_parquet('` + glob + `', union_by_name=True) WHERE status = 'rejected' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var want []string
	for rs.Next() {
		var msg *string
		var n int64
		var ids []any
		if err := rs.Scan(&msg, &n, &ids); err != nil {
			t.Fatal(err)
		}
		want = append(want, line(msg, n, ids))
	}
	sort.Strings(want)
	got := project(f.run(t, "rejections_by_message", tsql.Values{}), []string{"status_message", "rejected", "identifiers"})
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("template and seed query differ: %s", firstDiff(got, want))
	}
}

// The SQL every template computes gives the hand-written fingerprints on
// DuckDB, NULL for NULL; and on the fixture's own messages it agrees with the
// Go reference, which the tests' expectations use, as does FastFingerprint
// (what DuckDB's counts use) on the generator's messages.
func TestFingerprintSQL(t *testing.T) {
	f := loaded(t)
	d := dialects.DuckDB{}
	sqlFingerprint := func(lit string) (got *string) {
		t.Helper()
		q := "SELECT " + tsql.FingerprintSQL(d, lit)
		if err := f.db.QueryRow(q).Scan(&got); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return got
	}
	for _, c := range tsql.FingerprintOracle() {
		if got := sqlFingerprint(d.String(c.Msg)); got == nil || *got != c.Want {
			t.Errorf("%q: DuckDB %v, want %q", c.Msg, format(got), c.Want)
		}
	}
	if got := sqlFingerprint("CAST(NULL AS VARCHAR)"); got != nil {
		t.Errorf("NULL fingerprints as %q", *got)
	}
	seen := map[string]bool{}
	for _, r := range f.rows {
		if r.msg == nil || seen[*r.msg] {
			continue
		}
		seen[*r.msg] = true
		if got, want := sqlFingerprint(d.String(*r.msg)), tsql.Fingerprint(*r.msg); *got != want {
			t.Errorf("%q: DuckDB %q, Go %q", *r.msg, *got, want)
		}
		if got, want := tsql.FastFingerprint(*r.msg), tsql.Fingerprint(*r.msg); got != want {
			t.Errorf("%q: FastFingerprint %q, Go %q", *r.msg, got, want)
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct messages in the fixture", len(seen))
	}
}

// Hostile values run as literals and as binds: no error, no rows, no change.
func TestHostileValuesOnDuckDB(t *testing.T) {
	f := loaded(t)
	d := dialects.DuckDB{}
	var before string
	f.db.QueryRow(`SELECT count(*) FROM synctrack.sync_records`).Scan(&before)
	for _, h := range []string{`x'; DELETE FROM synctrack.sync_records; --`, `x' OR '1'='1`, `\' OR TRUE --`, "x/*", "$1"} {
		v := tsql.Values{tsql.ParamIdentifier: h, tsql.ParamSync: h}
		sql, err := tsql.Render(d, "synctrack", "records", v)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := f.db.QueryRow("SELECT count(*) FROM (" + strings.TrimSuffix(trimComments(sql), "\n") + ")").Scan(&n); err != nil || n != 0 {
			t.Errorf("%q as a literal: %d rows, %v", h, n, err)
		}
		if rows := f.run(t, "records", v); len(rows) != 0 {
			t.Errorf("%q bound: %d rows", h, len(rows))
		}
	}
	var after string
	f.db.QueryRow(`SELECT count(*) FROM synctrack.sync_records`).Scan(&after)
	if before != after || before == "0" {
		t.Errorf("sync_records had %s rows, now %s", before, after)
	}
}

func trimComments(sql string) string {
	var keep []string
	for _, l := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(l, "--") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// A load installs every parameter-free template as a view that answers as the
// template does.
func TestViewsInstalledOnLoad(t *testing.T) {
	f := loaded(t)
	ts, _ := tsql.List("duckdb")
	views := 0
	for _, tp := range ts {
		var n int
		f.db.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE schema_name = 'synctrack' AND view_name = ?`, tp.Name).Scan(&n)
		if n != btoi(tp.View) {
			t.Errorf("%s: %d views, want %d", tp.Name, n, btoi(tp.View))
			continue
		}
		if !tp.View {
			continue
		}
		views++
		rs, err := f.db.Query(`SELECT * FROM synctrack.` + tp.Name)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		rs.Close()
		viaTemplate := f.run(t, tp.Name, tsql.Values{})
		if len(viaTemplate) == 0 || len(cols) != len(viaTemplate[0]) {
			t.Errorf("%s: view has %d columns, template %v", tp.Name, len(cols), len(viaTemplate))
		}
		var rows int
		f.db.QueryRow(`SELECT count(*) FROM synctrack.` + tp.Name).Scan(&rows)
		if rows != len(viaTemplate) {
			t.Errorf("%s: view has %d rows, template %d", tp.Name, rows, len(viaTemplate))
		}
	}
	if views < 7 {
		t.Errorf("only %d views installed", views)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
