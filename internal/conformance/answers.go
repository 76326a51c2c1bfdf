package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// minAnswered is how many templates must return rows on the reference for
// the comparison to prove something.
const minAnswered = 5

// answers is what the template checks share: DuckDB loaded afresh from the
// final bucket, and how many templates answered with rows there.
type answers struct {
	ref      *duckdb.Warehouse
	err      error
	answered int
}

// templateChecks compare every analysis template that needs no parameter
// on the engine with DuckDB on the same bucket. On DuckDB itself they
// compare the state the steps' loads built up with one load of the final
// bucket.
func templateChecks(t *testing.T, s *scenario) []check {
	ts, err := sql.List(s.wh.Dialect().Name())
	if err != nil {
		t.Fatalf("templates of %s: %v", s.wh.Dialect().Name(), err)
	}
	out := []check{{"SameTemplates", func(t testing.TB, s *scenario) {
		refs, err := sql.List("duckdb")
		if err != nil {
			t.Fatal(err)
		}
		if a, b := names(ts), names(refs); !slices.Equal(a, b) {
			t.Errorf("%s has templates %v, DuckDB %v", s.wh.Dialect().Name(), a, b)
		}
	}}}
	if s.h.NoSQL != "" {
		return append(out, check{"Answers", func(t testing.TB, s *scenario) { s.needSQL(t) }})
	}
	for _, tpl := range ts {
		if len(tpl.Required) == 0 {
			out = append(out, check{tpl.Name, func(t testing.TB, s *scenario) { s.compareTemplate(t, tpl.Name) }})
		}
	}
	return append(out, check{"EnoughAnswers", func(t testing.TB, s *scenario) {
		if s.ans.answered < minAnswered {
			t.Errorf("only %d templates return rows on this bucket: the comparison proves too little", s.ans.answered)
		}
	}})
}

// prepareAnswers loads the reference and repairs the engine's emulator
// gaps, once, before the template checks (in Run's own test, which owns
// the reference's files).
func prepareAnswers(t *testing.T, s *scenario) {
	if s.h.NoSQL != "" {
		return
	}
	s.ans.ref, s.ans.err = s.reference(t)
	if s.h.Repair != nil {
		s.h.Repair(t, s.wh, s.b)
	}
}

func (s *scenario) needSQL(t testing.TB) {
	t.Helper()
	if s.h.NoSQL != "" {
		t.Skip(s.h.NoSQL)
	}
}

func (s *scenario) compareTemplate(t testing.TB, name string) {
	if s.ans.err != nil {
		t.Fatal(s.ans.err)
	}
	q, err := sql.Render(s.wh.Dialect(), s.wh.Schema(), name, sql.Values{})
	if err != nil {
		t.Fatal(err)
	}
	refQ, err := sql.Render(dialects.DuckDB{}, s.ans.ref.Schema(), name, sql.Values{})
	if err != nil {
		t.Fatal(err)
	}
	drop := s.h.Differ[name]
	got, err := answer(s.wh, q, drop)
	if err != nil {
		t.Fatalf("%s: %v", s.h.Name, err)
	}
	want, err := answer(s.ans.ref, refQ, drop)
	if err != nil {
		t.Fatalf("duckdb: %v", err)
	}
	if len(want) > 0 {
		s.ans.answered++
	}
	same(t, got, want)
}

// reference loads the scenario's bucket, as it now is, into a new DuckDB.
// Its one failure must be the empty object, as on every engine.
func (s *scenario) reference(t *testing.T) (*duckdb.Warehouse, error) {
	t.Helper()
	ref, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "ref.duckdb"),
		Schema: "synctrack", MemoryLimit: "512MB"}, time.Now)
	if err != nil {
		return nil, fmt.Errorf("open the reference: %w", err)
	}
	t.Cleanup(func() { ref.Close() })
	rep, err := loader.New(s.b.Bucket, s.b.Root, ref, loader.Options{}).Load(context.Background())
	if err != nil || len(rep.Failed) != 1 || rep.Failed[0].Key != s.k.empty {
		return nil, fmt.Errorf("the reference load: %v, failed %v; want only %s failed", err, rep.Failed, s.k.empty)
	}
	return ref, nil
}

func names(ts []sql.Template) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

// answer runs q and returns its rows as sorted text, without column drop.
func answer(wh warehouse.Querier, q, drop string) ([]string, error) {
	rows, err := wh.Query(context.Background(), q, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var parts []string
		for i, v := range vals {
			if !strings.EqualFold(cols[i], drop) {
				parts = append(parts, text(v))
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out, rows.Err()
}

func same(t testing.TB, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("first difference at row %d:\n got    %s\n duckdb %s", i, got[i], want[i])
			break
		}
	}
	t.Errorf("answers differ:\n got    %d rows: %.600v\n duckdb %d rows: %.600v", len(got), got, len(want), want)
}

// text prints a value alike from every engine: JSON canonical (one driver
// decodes it, another hands text), integers of any width alike, a midnight
// as a date (a template may type a day as DATE on one engine and as a
// timestamp on another), floats to six digits.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	case []byte:
		return text(string(x))
	case string:
		if strings.HasPrefix(x, "{") || strings.HasPrefix(x, "[") {
			var j any
			if json.Unmarshal([]byte(x), &j) == nil {
				b, _ := json.Marshal(j)
				return string(b)
			}
		}
		return x
	case time.Time:
		if x.UTC().Truncate(24 * time.Hour).Equal(x) {
			return x.UTC().Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return fmt.Sprintf("%.6g", x)
	case float32:
		return fmt.Sprintf("%.6g", x)
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}
