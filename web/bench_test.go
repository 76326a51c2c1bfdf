package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

// TestWebBench measures every page's server time (the Server-Timing header:
// opening the DuckDB file read-only for the request, the queries, the
// template) on a warehouse made by synctrack generate and load, and, in the
// same process, the analysis template a CLI user would run for the same
// answer, as the baseline. It prints figures and asserts none. Run it with
//
//	SYNCTRACK_WEB_BENCH_DB=/path/w.duckdb go test ./web -run TestWebBench -v -timeout 1h
//
// (SYNCTRACK_WEB_BENCH_ONLY=/records: only the pages so named.)
func TestWebBench(t *testing.T) {
	path := os.Getenv("SYNCTRACK_WEB_BENCH_DB")
	if path == "" {
		t.Skip("set SYNCTRACK_WEB_BENCH_DB to a DuckDB file made by synctrack load (see BENCHMARKS.md)")
	}
	whURL := "duckdb://" + path
	open := openURL(t, whURL)
	srv := serve(t, web.Options{Open: open})
	home := get(t, srv.URL+"/", 200)
	sync := regexp.MustCompile(`href="/syncs/([^"/]*)"`).FindStringSubmatch(home)[1]
	syncPage := get(t, srv.URL+"/syncs/"+sync, 200)
	run := regexp.MustCompile(`href="/syncs/[^"/]*/runs/([^"?]*)"`).FindStringSubmatch(syncPage)[1]
	before := regexp.MustCompile(`rel="next" href="[^"]*before=([^"]*)"`).FindStringSubmatch(syncPage)
	runPath := "/syncs/" + sync + "/runs/" + run
	rejected := get(t, srv.URL+runPath+"?outcome=rejected", 200)
	ident := regexp.MustCompile(`href="/records/([^"?]*)`).FindStringSubmatch(rejected)[1]
	next := regexp.MustCompile(`rel="next" href="([^"]*)"`).FindStringSubmatch(rejected)
	fmt.Printf("sync %s, run %s, identifier %s\n", sync, run, ident)

	type page struct {
		name, path, baseline string
		// between is what the daemon does in the same process before the
		// page (nil: a serve process, which does nothing else).
		between func()
		phase   int // its rounds come after those of lower phases
	}
	// A daemon's idle cycle reads the ledger through the pages' handle; a
	// load attaches the file for writing to the pages' instance once the
	// pages have let it go (fileuse.go, Readers.openWriter).
	idleTick := func() { idleCycle(t, open) }
	loadTick := func() { loadCycle(t, whURL) }
	search := "/records/" + url.PathEscape(ident) + "?sync=" + sync
	pages := []page{
		{"/ (every sync, health, 30-day charts)", "/", "run_summary", nil, 0},
		{"/syncs/S (Sync History)", "/syncs/" + sync, "run_summary+sync", nil, 0},
		{"/syncs/S/runs/R", runPath, "records+run", nil, 0},
		{"/syncs/S/runs/R?outcome=rejected", runPath + "?outcome=rejected", "", nil, 0},
		{"/syncs/S/runs/R?after= (next page)", strings.ReplaceAll(next[1], "&amp;", "&"), "", nil, 0},
		{"/syncs/S/runs/R?q=ID (identifier search)", runPath + "?q=" + url.QueryEscape(ident), "", nil, 0},
		{"/records/ID?sync=S (identifier search)", search, "record_history+sync", nil, 0},
		{"/records/ID (identifier search, every sync)", "/records/" + url.PathEscape(ident), "record_history", nil, 0},
		{"/records/ID?sync=S, daemon: an idle cycle before it", search, "", idleTick, 1},
		{"/records/ID?sync=S, daemon: a load before it", search, "", loadTick, 2},
	}
	// The bench's identifier is the first sync's: "u_" and a number, which
	// DuckDB's zone maps keep to that sync's row groups. A UUID sorts
	// among every UUID sync's rows (and digits among theirs too): the
	// harder search.
	if id, s := uuidRecord(t, whURL); id != "" {
		pages = append(pages, page{"/records/UUID?sync=S (a UUID identifier)", "/records/" + url.PathEscape(id) + "?sync=" + url.QueryEscape(s), "", nil, 0},
			page{"/records/UUID (a UUID identifier, every sync)", "/records/" + url.PathEscape(id), "", nil, 0})
	}
	if before != nil {
		pages = slices.Insert(pages, 2, page{"/syncs/S?before= (older runs)",
			"/syncs/" + sync + "?before=" + strings.ReplaceAll(before[1], "&amp;", "&"), "", nil, 0})
	}
	baselines := map[string]func() time.Duration{
		"run_summary":      func() time.Duration { return timeTemplate(t, whURL, "run_summary", nil) },
		"run_summary+sync": func() time.Duration { return timeTemplate(t, whURL, "run_summary", analysis.Values{"sync": sync}) },
		"records+run": func() time.Duration {
			return timeTemplate(t, whURL, "records", analysis.Values{"sync": sync, "run": run, "limit": 50})
		},
		"record_history+sync": func() time.Duration {
			return timeTemplate(t, whURL, "record_history", analysis.Values{"identifier": ident, "sync": sync})
		},
		"record_history": func() time.Duration {
			return timeTemplate(t, whURL, "record_history", analysis.Values{"identifier": ident})
		},
	}
	// SYNCTRACK_WEB_BENCH_ONLY=/records measures only the pages whose name
	// holds it, and no download.
	only := os.Getenv("SYNCTRACK_WEB_BENCH_ONLY")
	const n = 20
	fmt.Printf("| page | p50 | p95 | max | p50 ms: open / query / close / render | baseline (same process) | page p95 / baseline |\n|---|---|---|---|---|---|---|\n")
	pages = slices.DeleteFunc(pages, func(p page) bool { return !strings.Contains(p.name, only) })
	// Every page once to warm the file cache, then n rounds of every page:
	// on a shared machine a busy spell then slows every page a little
	// rather than one page a lot. The served pages' rounds come first, the
	// daemon's after, those after a load last, so that a load does not take
	// back the memory the pages before keep (BENCHMARKS.md, "The record
	// search after another page: the allocator").
	for _, p := range pages {
		get(t, srv.URL+p.path, 200)
	}
	times := make([][]float64, len(pages))
	parts := make([]map[string][]float64, len(pages))
	for phase := range 3 {
		for range n {
			for i, p := range pages {
				if p.phase != phase {
					continue
				}
				if p.between != nil {
					p.between()
				}
				st := serverTiming(t, srv.URL+p.path)
				times[i] = append(times[i], st["page"])
				if parts[i] == nil {
					parts[i] = map[string][]float64{}
				}
				for _, k := range timingParts {
					parts[i][k] = append(parts[i][k], st[k])
				}
			}
		}
	}
	for i, p := range pages {
		ms, parts := times[i], parts[i]
		slices.Sort(ms)
		line := fmt.Sprintf("| `%s` | %.0f ms | %.0f ms | %.0f ms |", p.name, ms[n/2], ms[n*95/100-1], ms[n-1])
		for _, k := range timingParts {
			slices.Sort(parts[k])
			line += fmt.Sprintf(" %.1f", parts[k][n/2])
			if k != timingParts[len(timingParts)-1] {
				line += " /"
			}
		}
		line += " |"
		if f := baselines[p.baseline]; f != nil {
			var bs []float64
			for range 3 {
				bs = append(bs, float64(f().Microseconds())/1000)
			}
			slices.Sort(bs)
			line += fmt.Sprintf(" %s: %.0f ms | %.2fx |", p.baseline, bs[1], ms[n*95/100-1]/bs[1])
		} else {
			line += " - | - |"
		}
		fmt.Println(line)
	}
	if only != "" {
		return
	}
	for _, q := range []string{"?q=" + url.QueryEscape(ident), "?outcome=rejected", ""} {
		for _, format := range []string{"csv", "json", "parquet"} {
			downloadMemory(t, srv.URL+runPath+"/records."+format+q)
		}
	}
}

// idleCycle reads the whole ledger through the pages' handle, as a daemon's
// idle cycle of the pages' file does.
func idleCycle(t *testing.T, open web.Opener) {
	q, release, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	n := 0
	if err := q.(warehouse.Warehouse).ScanLedger(context.Background(), "", func(warehouse.LedgerVersion) error { n++; return nil }); err != nil || n == 0 {
		t.Fatalf("the ledger: %d rows, %v", n, err)
	}
}

// loadCycle opens the file for writing, commits a change (a table made
// and dropped, so the file's data stays the same) and closes it, as a
// daemon's load does.
func loadCycle(t *testing.T, whURL string) {
	_, w, err := engines.Open(context.Background(), whURL, warehouse.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.(interface{ DB() *sql.DB }).DB()
	for _, q := range []string{`CREATE TABLE "synctrack"."bench_load" AS SELECT range AS i FROM range(100000)`,
		`DROP TABLE "synctrack"."bench_load"`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// uuidRecord is an identifier that looks like a UUID and its sync, if the
// warehouse has one.
func uuidRecord(t *testing.T, whURL string) (id, sync string) {
	ctx := context.Background()
	_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.Query(ctx, `SELECT identifier, sync_configuration_id FROM "synctrack"."sync_records"
WHERE length(identifier) = 36 AND identifier LIKE '%-%-%-%-%' LIMIT 1`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&id, &sync); err != nil {
			t.Fatal(err)
		}
	}
	return id, sync
}

// timingParts are the parts of a page's time in its Server-Timing header.
var timingParts = []string{"open", "query", "close", "render"}

// serverTiming gets u and reads its Server-Timing header: the page's whole
// time and each part's, in ms.
func serverTiming(t *testing.T, u string) map[string]float64 {
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	h := resp.Header.Get("Server-Timing")
	out := map[string]float64{}
	for _, m := range strings.Split(h, ",") {
		name, dur, ok := strings.Cut(strings.TrimSpace(m), ";dur=")
		f, err := strconv.ParseFloat(dur, 64)
		if !ok || err != nil {
			t.Fatalf("Server-Timing %q", h)
		}
		out[name] = f
	}
	if _, ok := out["page"]; !ok {
		t.Fatalf("Server-Timing %q has no page", h)
	}
	return out
}

// timeTemplate runs an analysis template as synctrack report does (opening
// the file read-only) and drains its rows.
func timeTemplate(t *testing.T, whURL, name string, v analysis.Values) time.Duration {
	start := time.Now()
	ctx := context.Background()
	_, w, err := engines.Open(ctx, whURL, warehouse.Options{ReadOnly: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ew, _ := export.New("csv", io.Discard)
	if _, err := reportrun.Run(ctx, w, name, v, ew); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// downloadMemory downloads u and prints the bytes, the time and how much the
// process's resident memory (DuckDB's included) and Go heap grew meanwhile.
func downloadMemory(t *testing.T, u string) {
	runtime.GC()
	base := rss()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0 := ms.HeapInuse
	var peak, heapPeak atomic.Int64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				peak.Store(max(peak.Load(), rss()))
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				heapPeak.Store(max(heapPeak.Load(), int64(m.HeapInuse)))
			}
		}
	}()
	start := time.Now()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	close(done)
	fmt.Printf("| `%s` | %.1f MB | %.0f ms | +%.0f MiB RSS | +%.0f MiB Go heap |\n", u[strings.LastIndex(u, "/")+1:],
		float64(nb)/1e6, float64(time.Since(start).Milliseconds()), float64(max(0, peak.Load()-base))/(1<<20),
		float64(max(0, heapPeak.Load()-int64(heap0)))/(1<<20))
}

// rss is the process's resident set size in bytes, from /proc.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
