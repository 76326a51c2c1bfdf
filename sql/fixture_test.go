package sql_test

import (
	"context"
	dbsql "database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	tsql "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// rawRow is one records row as the test reads it from the raw parquet files,
// with its ids from the path: nothing here comes from the loaded tables.
type rawRow struct {
	org, sync, run, ident string
	file                  string
	status, msg           *string
	started, ended        time.Time
}

func (r rawRow) outcome() string {
	switch {
	case r.status != nil && *r.status == "succeeded":
		return "success"
	case r.status != nil && *r.status == "rejected":
		return "rejected"
	}
	return "invalid"
}

// runMeta is what the test reads itself from a run's metadata.json.
type runMeta struct{ source, dest, destObj string }

// fixture is a generated bucket loaded into DuckDB, and the same bucket read
// independently: raw rows, each run's metadata.json, fact-table names.
type fixture struct {
	w     *duckdb.Warehouse
	db    *dbsql.DB
	dir   string
	rows  []rawRow
	meta  map[string]runMeta // org/sync/run -> ids
	names map[string]string  // table/org/id -> name
}

var (
	fixtureOnce sync.Once
	shared      *fixture
	fixtureErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.w.Close()
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// loaded builds the fixture once for the package's tests.
func loaded(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { shared, fixtureErr = build(t) })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return shared
}

func build(t testing.TB) (*fixture, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "synctrack-sql-test-")
	if err != nil {
		return nil, err
	}
	url := "file://" + filepath.ToSlash(dir) + "?metadata=skip"
	o := gen.DefaultOptions()
	o.RowsPerFile = 60
	if _, err := gen.Generate(ctx, testbucket.Open(t, url), o); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	w, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(dir, "t.duckdb"), Schema: "synctrack", MemoryLimit: "1GB"}, time.Now)
	if err != nil {
		return nil, err
	}
	rep, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(ctx)
	if err != nil || len(rep.Failed) > 0 {
		return nil, fmt.Errorf("load: %v %v", err, rep)
	}
	f := &fixture{w: w, db: w.DB(), dir: dir, meta: map[string]runMeta{}, names: map[string]string{}}
	if err := f.readRaw(); err != nil {
		return nil, err
	}
	if err := f.readMeta(); err != nil {
		return nil, err
	}
	return f, f.readFacts()
}

func (f *fixture) readRaw() error {
	rs, err := f.db.Query(`SELECT filename, CAST(identifier AS VARCHAR), status, status_message,
  CAST(batch_started_at AS TIMESTAMPTZ), CAST(batch_ended_at AS TIMESTAMPTZ)
FROM read_parquet(` + "'" + filepath.Join(f.dir, "sync_tracking_datasets", "*", "*", "*", "*.parquet") + "'" + `, union_by_name = true, filename = true)`)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var r rawRow
		var file string
		if err := rs.Scan(&file, &r.ident, &r.status, &r.msg, &r.started, &r.ended); err != nil {
			return err
		}
		p := strings.Split(filepath.ToSlash(file), "/")
		r.org, r.sync, r.run, r.file = p[len(p)-4], p[len(p)-3], p[len(p)-2], file
		f.rows = append(f.rows, r)
	}
	return rs.Err()
}

// readMeta reads each metadata.json in whichever of the three key styles it uses.
func (f *fixture) readMeta() error {
	paths, _ := filepath.Glob(filepath.Join(f.dir, "sync_tracking_datasets", "*", "*", "*", "metadata.json"))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		get := func(keys ...string) string {
			for _, k := range keys {
				v := any(m)
				for _, part := range strings.Split(k, ".") {
					obj, _ := v.(map[string]any)
					v = obj[part]
				}
				if s, ok := v.(string); ok && s != "" {
					return s
				}
			}
			return ""
		}
		parts := strings.Split(filepath.ToSlash(filepath.Dir(p)), "/")
		f.meta[strings.Join(parts[len(parts)-3:], "/")] = runMeta{
			source:  get("source_object_id", "sourceObjectId", "source.id"),
			dest:    get("destination_id", "destinationId", "destination.id"),
			destObj: get("destination_object_id", "destinationObjectId", "destination.object_id"),
		}
	}
	return nil
}

func (f *fixture) readFacts() error {
	for _, table := range []string{"source_objects", "destinations", "destination_objects"} {
		glob := filepath.Join(f.dir, "metadata", "*", table+".parquet")
		rs, err := f.db.Query(`SELECT filename, CAST(id AS VARCHAR), name FROM read_parquet('` + glob + `', filename = true)`)
		if err != nil {
			return err
		}
		for rs.Next() {
			var file, id, name string
			if err := rs.Scan(&file, &id, &name); err != nil {
				rs.Close()
				return err
			}
			org := filepath.Base(filepath.Dir(file))
			f.names[table+"/"+org+"/"+id] = name
		}
		rs.Close()
	}
	return nil
}

func (f *fixture) meta3(r rawRow) runMeta { return f.meta[r.org+"/"+r.sync+"/"+r.run] }

// name is a fact-table name, or nil when the facts lack the id.
func (f *fixture) name(table, org, id string) any {
	if n, ok := f.names[table+"/"+org+"/"+id]; ok {
		return n
	}
	return nil
}

// run executes a template on the loaded warehouse, returning rows keyed by column.
func (f *fixture) run(t *testing.T, name string, v tsql.Values) []map[string]string {
	t.Helper()
	d := dialects.DuckDB{}
	q, err := tsql.Bind(d, "synctrack", name, v)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := f.db.Query(q.SQL, q.Values()...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, q.SQL)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []map[string]string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, c := range cols {
			row[c] = format(vals[i])
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// format renders a value the same way for query results and expectations.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case *string:
		if x == nil {
			return "NULL"
		}
		return *x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', 4, 64)
	case *big.Int:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = format(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case []string:
		return "[" + strings.Join(x, ",") + "]"
	}
	return fmt.Sprint(v)
}

// project keeps cols of each row, as sorted lines.
func project(rows []map[string]string, cols []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(cols))
		for j, c := range cols {
			parts[j] = r[c]
		}
		out[i] = strings.Join(parts, " | ")
	}
	sort.Strings(out)
	return out
}

// line formats one expected row.
func line(vals ...any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = format(v)
	}
	return strings.Join(parts, " | ")
}
