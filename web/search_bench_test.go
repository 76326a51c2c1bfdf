//go:build unix

package web

import (
	"context"
	"fmt"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// TestRecordSearchBench splits the record search (/records/ID?sync=S and
// /records/ID) into its parts on a warehouse made by synctrack generate
// and load: getting the file (a new DuckDB instance per request, as the
// daemon's pages do, against attaching it to serve's instance), the
// record_rows query on a freshly attached file (what a page pays), on a
// new instance (the daemon's page) and again on the same attachment (its
// blocks in DuckDB's buffer pool), and the identifier scan alone
// (count(*) with the same filter). Each is
// asked 15 times; the figures are the median wall time and the median
// CPU time of the process (every DuckDB thread). It prints figures and
// asserts none. Run it with
//
//	SYNCTRACK_WEB_BENCH_DB=/path/w.duckdb go test ./web -run TestRecordSearchBench -v
func TestRecordSearchBench(t *testing.T) {
	path := os.Getenv("SYNCTRACK_WEB_BENCH_DB")
	if path == "" {
		t.Skip("set SYNCTRACK_WEB_BENCH_DB to a DuckDB file made by synctrack load (see BENCHMARKS.md)")
	}
	whURL := "duckdb://" + path
	ctx := context.Background()
	e, err := engines.Check(whURL)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.Readers(whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	const n = 15
	fmt.Printf("| part | wall p50 | CPU p50 |\n|---|---|---|\n")
	row := func(name string, f func() (wall, cpu time.Duration)) {
		var walls, cpus []time.Duration
		f() // warm the file cache
		for range n {
			w, c := f()
			walls, cpus = append(walls, w), append(cpus, c)
		}
		slices.Sort(walls)
		slices.Sort(cpus)
		fmt.Printf("| %s | %.1f ms | %.1f ms |\n", name, ms(walls[n/2]), ms(cpus[n/2]))
	}
	row("open + close: a new DuckDB instance on the file (daemon)", func() (time.Duration, time.Duration) {
		return timed(func() {
			_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
		})
	})
	row("open + close: the file attached to serve's instance (Readers)", func() (time.Duration, time.Duration) {
		return timed(func() {
			_, release, err := rs.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			release()
		})
	})
	for _, k := range searchKinds(t, rs) {
		for _, sync := range []string{k.sync, ""} {
			v := analysis.Values{analysis.ParamIdentifier: k.id, analysis.ParamLimit: historySize + 1}
			where := ", every sync"
			if sync != "" {
				v[analysis.ParamSync], where = sync, ", ?sync="
			}
			scan := `SELECT count(*) FROM "synctrack"."sync_records" WHERE identifier = $1`
			args := []warehouse.Arg{{Name: "identifier", Value: k.id}}
			if sync != "" {
				scan += ` AND sync_configuration_id = $2`
				args = append(args, warehouse.Arg{Name: "sync", Value: sync})
			}
			search := func(q warehouse.Querier) { mustQuery(t, ctx, q, "record_rows", v) }
			count := func(q warehouse.Querier) { mustCount(t, ctx, q, scan, args) }
			for _, part := range []struct {
				name string
				run  func(warehouse.Querier)
			}{{"record_rows", search}, {"the identifier scan alone", count}} {
				row(part.name+", cold: "+k.name+where, func() (time.Duration, time.Duration) {
					q, release, err := rs.Open(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer release()
					return timed(func() { part.run(q) })
				})
				row(part.name+", cold, on a new instance (daemon): "+k.name+where, func() (time.Duration, time.Duration) {
					_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
					if err != nil {
						t.Fatal(err)
					}
					defer w.Close()
					return timed(func() { part.run(w) })
				})
				q, release, err := rs.Open(ctx)
				if err != nil {
					t.Fatal(err)
				}
				row(part.name+", warm: "+k.name+where, func() (time.Duration, time.Duration) {
					return timed(func() { part.run(q) })
				})
				release()
			}
		}
	}
}

type searchKind struct{ name, id, sync string }

// searchKinds are an identifier of each shape the generator writes that
// the warehouse holds: "u_" and a number (the page bench's) and a UUID.
func searchKinds(t *testing.T, rs warehouse.Readers) []searchKind {
	q, release, err := rs.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var out []searchKind
	for _, k := range []struct{ name, where string }{
		{"u_N", `identifier LIKE 'u\_%' ESCAPE '\'`},
		{"UUID", `length(identifier) = 36 AND identifier LIKE '%-%-%-%-%'`},
	} {
		rows, err := q.Query(context.Background(), `SELECT identifier, sync_configuration_id FROM "synctrack"."sync_records" WHERE `+k.where+` LIMIT 1`, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			s := searchKind{name: k.name}
			if err := rows.Scan(&s.id, &s.sync); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	return out
}

func mustQuery(t *testing.T, ctx context.Context, q warehouse.Querier, name string, v analysis.Values) {
	if rows, err := query(ctx, q, name, v); err != nil || len(rows) == 0 {
		t.Fatalf("%s: %d rows, %v", name, len(rows), err)
	}
}

func mustCount(t *testing.T, ctx context.Context, q warehouse.Querier, sql string, args []warehouse.Arg) {
	rows, err := q.Query(ctx, sql, args)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatalf("%s: no rows", sql)
	}
}

// timed runs f and says how long it took, on the clock and in CPU time.
func timed(f func()) (wall, cpu time.Duration) {
	c0, start := cpuTime(), time.Now()
	f()
	return time.Since(start), cpuTime() - c0
}

// cpuTime is the CPU time the process has used, every thread's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
