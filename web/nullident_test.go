package web_test

import (
	"bytes"
	"context"
	dbsql "database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/reportrun"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/web"
)

// nullIdentRow is a records row without an identifier (the column is
// optional in parquet); the sync ids come from the path.
type nullIdentRow struct {
	Identifier *string `parquet:"identifier,optional"`
	Payload    string  `parquet:"record_payload"`
	Operation  string  `parquet:"operation"`
	Status     *string `parquet:"status,optional"`
	Message    *string `parquet:"status_message,optional"`
	Started    int64   `parquet:"batch_started_at,timestamp(microsecond)"`
	Ended      int64   `parquet:"batch_ended_at,timestamp(microsecond)"`
}

// Rows without an identifier are no one record: they cannot be followed
// across runs, so neither flapping_records nor Sync History's flapping
// list shows them as a record that flaps, however their outcomes alternate
// from run to run. A record with an identifier that flaps still shows.
func TestRowsWithoutIdentifierDoNotFlapDuckDB(t *testing.T) {
	checkRowsWithoutIdentifier(t, "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
}

func TestRowsWithoutIdentifierDoNotFlapPostgres(t *testing.T) {
	checkRowsWithoutIdentifier(t, pgtest.URL(t))
}

func checkRowsWithoutIdentifier(t *testing.T, whURL string) {
	f := generate(t)
	sync, _ := f.biggestRun()
	rows := f.where(func(r rawRow) bool { return r.sync == sync })
	org := rows[0].org
	runs := map[string]bool{}
	for _, r := range rows {
		runs[r.run] = true
	}
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ok, rejected, msg := "succeeded", "rejected", "Missing required field"
	flapper := "no-such-record-flaps"
	i := 0
	for run := range runs {
		dir := filepath.Join(f.dir, "sync_tracking_datasets", org, sync, run)
		var started time.Time
		if err := db.QueryRow(`SELECT CAST(min(batch_started_at) AS TIMESTAMPTZ) FROM read_parquet('` +
			filepath.Join(dir, "*.parquet") + `')`).Scan(&started); err != nil {
			t.Fatal(err)
		}
		// The rows without an identifier alternate between success and
		// rejection; so does one named record, by the same runs.
		status, message := &ok, (*string)(nil)
		if i%2 == 1 {
			status, message = &rejected, &msg
		}
		i++
		at := started.UnixMicro()
		var out []nullIdentRow
		for _, id := range []*string{nil, nil, &flapper} {
			out = append(out, nullIdentRow{Identifier: id, Payload: `{}`, Operation: "added", Status: status, Message: message, Started: at, Ended: at})
		}
		var b bytes.Buffer
		if err := parquet.Write(&b, out); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "records_added.99.parquet"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(runs) < 3 {
		t.Fatalf("sync %s has %d runs: too few for a record to change twice", sync, len(runs))
	}
	f.load(t, whURL)
	open := openURL(t, whURL)

	ctx := context.Background()
	q, release, err := open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	flaps := &collect{names: []string{"record_identifier", "changes"}}
	_, err = reportrun.Run(ctx, q, "flapping_records", analysis.Values{analysis.ParamSync: sync, analysis.ParamN: 5}, flaps)
	release()
	if err != nil {
		t.Fatal(err)
	}
	named := false
	for _, r := range flaps.rows {
		id, _, _ := strings.Cut(r, "|")
		if id == "" {
			t.Errorf("flapping_records lists rows without an identifier as one record: %q", r)
		}
		named = named || id == flapper
	}
	if !named {
		t.Errorf("flapping_records lacks %s, which flaps: %v", flapper, flaps.rows)
	}

	srv := serve(t, web.Options{Open: open})
	body := get(t, srv.URL+"/syncs/"+url.PathEscape(sync), http.StatusOK)
	section := body[strings.Index(body, `id="flap"`):]
	if !strings.Contains(section, `href="/records/`+flapper) {
		t.Errorf("Sync History's flapping list lacks %s", flapper)
	}
	if strings.Contains(section, "(empty identifier)") {
		t.Errorf("Sync History lists rows without an identifier as a flapping record")
	}
}
