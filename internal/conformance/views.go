package conformance

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// plainID is a sync id the typed view takes as it is (DESIGN.md:
// sync_records_<sync_configuration_id>).
var plainID = regexp.MustCompile(`^[0-9a-z]+(_[0-9a-z]+)*$`)

// typedView is the name of a sync's typed view: sync_records_<id> for a
// plain id; any other id is cleaned and hashed (dialects.ViewName).
func typedView(id string) string {
	if plainID.MatchString(id) {
		return "sync_records_" + id
	}
	return dialects.ViewName(id)
}

// syncs maps each sync in the bucket's records keys to its typed view.
func (s *scenario) syncs() map[string]string {
	out := map[string]string{}
	for k := range s.want.records() {
		out[syncOf(k)] = typedView(syncOf(k))
	}
	return out
}

// expectedViews are sync_log, each sync's typed view and the analysis views
// of the engine's dialect (sql.Views), of which run_summary is one.
func (s *scenario) expectedViews(t testing.TB) []string {
	t.Helper()
	vs, err := sql.Views(s.wh.Dialect(), s.wh.Schema())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sync_log"}
	for _, v := range s.syncs() {
		want = append(want, v)
	}
	var analysis []string
	for _, v := range vs {
		analysis = append(analysis, v.Name)
	}
	if !slices.Contains(analysis, "run_summary") {
		t.Errorf("the analysis views %v lack run_summary", analysis)
	}
	return append(want, analysis...)
}

func viewsPresent(t testing.TB, s *scenario) {
	want := s.expectedViews(t)
	if s.h.Views == nil {
		for _, v := range want {
			if _, err := s.count(v); err != nil {
				t.Errorf("view %s: %v", v, err)
			}
		}
		return
	}
	got := s.h.Views(t, s.wh)
	for _, v := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.EqualFold(g, v) }) {
			t.Errorf("no view %s; the views are %v", v, got)
		}
	}
}

// viewRowCounts: sync_log has a row per loaded record, and each typed view
// one per record of its sync, as the parquet files count them.
func viewRowCounts(t testing.TB, s *scenario) {
	s.needSQL(t)
	total, per := int64(0), map[string]int64{}
	for k, n := range s.want.records() {
		total += n
		per[syncOf(k)] += n
	}
	want := map[string]int64{"sync_log": total}
	for id, v := range s.syncs() {
		want[v] = per[id]
	}
	for _, v := range sortedKeys(want) {
		n, err := s.count(v)
		if err != nil {
			t.Errorf("view %s: %v", v, err)
		} else if n != want[v] {
			t.Errorf("view %s: %d rows, the loaded files hold %d", v, n, want[v])
		}
	}
}

// count is SELECT COUNT(*) of one table or view of the warehouse's schema.
func (s *scenario) count(name string) (int64, error) {
	d := s.wh.Dialect()
	rs, err := query(s.wh, "SELECT COUNT(*) FROM "+d.Table(s.wh.Schema(), name))
	if err != nil {
		return 0, err
	}
	if len(rs) != 1 || len(rs[0]) != 1 {
		return 0, fmt.Errorf("COUNT(*) returned %v", rs)
	}
	return toInt(rs[0][0])
}

// CountFiles is Harness.Rows for an engine that runs SQL: sync_records'
// rows per _file, through wh.Query, with a bind parameter (which keeps every
// group) placed as the dialect's Placeholder says.
func CountFiles(t testing.TB, wh warehouse.Warehouse) map[string]int64 {
	t.Helper()
	d := wh.Dialect()
	file := d.Ident("_file")
	q := "SELECT " + file + ", COUNT(*) FROM " + d.Table(wh.Schema(), "sync_records") +
		" GROUP BY " + file + " HAVING COUNT(*) >= " + d.Placeholder(1, "least")
	rs, err := query(wh, q, warehouse.Arg{Name: "least", Value: int64(1)})
	if err != nil {
		t.Fatalf("rows per file: %v", err)
	}
	out := map[string]int64{}
	for _, r := range rs {
		n, err := toInt(r[1])
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprint(r[0])] = n
	}
	return out
}

// query runs q through the warehouse and returns its rows.
func query(wh warehouse.Querier, q string, args ...warehouse.Arg) ([][]any, error) {
	rows, err := wh.Query(context.Background(), q, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case *big.Int:
		return x.Int64(), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("count: unexpected %T %v", v, v)
}

// noneUnbuilt: after the loads, no loaded sync is taken for one whose
// typed view no refresh built (loader.UnbuiltViews, which every load of
// synctrack load runs, in the engine's SQL).
func noneUnbuilt(t testing.TB, s *scenario) {
	got, err := loader.UnbuiltViews(context.Background(), s.wh)
	if err != nil {
		t.Fatalf("UnbuiltViews: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("UnbuiltViews = %v after loads that built every view", got)
	}
}
