package web_test

import (
	"context"
	dbsql "database/sql"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

// The run page's typed cells are what the sync's typed view answers for the
// same records, odd values and all: the view's casts are the engine's, and
// the page reads them from the view rather than casting again in Go.
func TestRunPageTypedCellsAreTheViewDuckDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	checkTypedCells(t, "duckdb://"+path, "duckdb", path, "synctrack")
}

func TestRunPageTypedCellsAreTheViewPostgres(t *testing.T) {
	whURL := pgtest.URL(t)
	u, err := url.Parse(whURL)
	if err != nil {
		t.Fatal(err)
	}
	checkTypedCells(t, whURL, "pgx", pgtest.Server(t).ConnString(), u.Query().Get("schema"))
}

// oddValues are payload values of each field type, and of the others: a
// string "true" in a boolean field, a number past 2^64 in a string field.
var oddValues = map[string][]any{
	"string":  {json.Number("12345678901234567890"), true, map[string]any{"a": []any{1, 2}}, "plain", nil, "  spaced "},
	"number":  {"12", json.Number("1e400"), json.Number("12345678901234567890"), "(the fourth record has no fields)", "abc", "-1e-400", json.Number("4.9e-324")},
	"boolean": {"true", "yes", json.Number("1"), "FALSE", nil, true, "t"},
	"array":   {[]any{1, "x"}, "text", json.Number("5"), map[string]any{}, nil},
	"object":  {map[string]any{"k": "v"}, "text", json.Number("5"), []any{}},
}

var typedCellRe = regexp.MustCompile(`<tr><th scope="row" class="mono">([^<]*)</th><td class="type">([^<]*)</td><td class="mono">([^<]*)</td></tr>`)

func checkTypedCells(t *testing.T, whURL, driver, dsn, schema string) {
	f := generate(t)
	f.load(t, whURL)
	sync, run := f.biggestRun()
	ctx := context.Background()

	db, err := dbsql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := func(s string) string { return strings.ReplaceAll(s, "S.", `"`+schema+`".`) }
	var view string
	fields := map[string]string{} // field -> type
	rows, err := db.Query(q(`SELECT field_name, column_type, view_name FROM S.payload_columns WHERE sync_configuration_id = $1`), sync)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var fld, typ string
		if err := rows.Scan(&fld, &typ, &view); err != nil {
			t.Fatal(err)
		}
		fields[fld] = typ
	}
	rows.Close()
	if len(fields) == 0 {
		t.Fatalf("sync %s has no typed columns", sync)
	}
	// The run's first page: give each record odd values for its fields.
	keys, err := db.Query(q(`SELECT _file, _row FROM S.sync_records WHERE sync_configuration_id = $1 AND sync_run_id = $2
ORDER BY _file, _row LIMIT `+fmt.Sprint(pageSize)), sync, run)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		file string
		row  int64
	}
	var page []key
	for keys.Next() {
		var k key
		if err := keys.Scan(&k.file, &k.row); err != nil {
			t.Fatal(err)
		}
		page = append(page, k)
	}
	keys.Close()
	for i, k := range page {
		p := map[string]any{}
		for fld, typ := range fields {
			vals := oddValues[typ]
			if vals == nil {
				vals = oddValues["object"]
			}
			if i != 3 { // the fourth record has none of its fields
				p[fld] = vals[i%len(vals)]
			}
		}
		b, _ := json.Marshal(p)
		if _, err := db.Exec(q(`UPDATE S.sync_records SET record_payload = CAST($1 AS JSON) WHERE _file = $2 AND _row = $3`), string(b), k.file, k.row); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	open := openURL(t, whURL)
	srv := serve(t, web.Options{Open: open, PageSize: pageSize, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	body := get(t, srv.URL+"/syncs/"+url.PathEscape(sync)+"/runs/"+url.PathEscape(run), http.StatusOK)
	var got []string
	for _, m := range typedCellRe.FindAllStringSubmatch(body, -1) {
		got = append(got, html.UnescapeString(m[1]+"="+m[3]))
	}
	if strings.Contains(body, "could not be read from the view") {
		t.Fatalf("the page could not read the view:\n%s", body)
	}

	// The same records from the view, as a query on it answers them.
	wq, release, err := open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	d := wq.Dialect()
	rs, err := wq.Query(ctx, `SELECT * FROM `+d.Table(wq.Schema(), view)+` WHERE sync_run_id = $1 ORDER BY _file, _row LIMIT `+fmt.Sprint(pageSize),
		[]warehouse.Arg{{Name: "run", Value: run}})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	base := map[string]bool{}
	for _, c := range []string{"identifier", "record_payload", "operation", "status", "status_message", "batch_started_at", "batch_ended_at",
		"sync_configuration_id", "sync_run_id", "org_id", "batch_type", "batch_number", "_file", "_row", "_extra", "_loaded_at"} {
		base[c] = true
	}
	var want []string
	nonEmpty := 0
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var cells []string
		for i, c := range cols {
			if !base[c] {
				cells = append(cells, c+"="+web.CellText(vals[i]))
				if vals[i] != nil {
					nonEmpty++
				}
			}
		}
		sort.Strings(cells)
		want = append(want, cells...)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(page)*len(fields) || nonEmpty == 0 {
		t.Fatalf("the view gave %d cells (%d not NULL) for %d records of %d fields", len(want), nonEmpty, len(page), len(fields))
	}
	// Each record's cells in the order of their names (the page lists
	// them by column name, in the engine's collation).
	for i := 0; i+len(fields) <= len(got); i += len(fields) {
		sort.Strings(got[i : i+len(fields)])
	}
	t.Log(strings.Join(want, "\n"))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("run page's typed cells:\n%s\nthe view's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
