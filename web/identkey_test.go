package web_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse/duckdb"
	"github.com/synctrack/synctrack/web"
)

// On DuckDB the record search and a run's ?q= filter on the identifier's key
// (sync_records._identifier_hash) with the identifier: rows whose key is
// wrong are not found, which shows the key is used; and when the keys'
// stamp is not this DuckDB's, the pages filter on the identifier alone and
// find every row again.
func TestRecordSearchUsesIdentifierKey(t *testing.T) {
	f := generate(t)
	path := filepath.Join(t.TempDir(), "w.duckdb")
	whURL := "duckdb://" + path
	f.load(t, whURL)
	srv := serve(t, web.Options{Open: openURL(t, whURL), PageSize: pageSize})
	sync, run := f.biggestRun()
	ident := f.where(func(r rawRow) bool { return r.sync == sync && r.run == run })[0].ident
	want := len(f.where(func(r rawRow) bool { return r.sync == sync && r.ident == ident }))
	record := srv.URL + "/records/" + url.PathEscape(ident) + "?sync=" + url.QueryEscape(sync)
	inRun := srv.URL + "/syncs/" + url.PathEscape(sync) + "/runs/" + url.PathEscape(run) + "?q=" + url.QueryEscape(ident)
	found := func(when string, wantRecord, wantRun int) {
		t.Helper()
		status := http.StatusOK
		if wantRecord == 0 {
			status = http.StatusNotFound
		}
		if got := strings.Count(get(t, record, status), `<td class="payload">`); got != wantRecord {
			t.Errorf("%s: the record page shows %d rows, want %d", when, got, wantRecord)
		}
		if got := len(rowIdent.FindAllString(get(t, inRun, http.StatusOK), -1)); got != wantRun {
			t.Errorf("%s: the run page's ?q= shows %d rows, want %d", when, got, wantRun)
		}
	}
	found("as loaded", want, 1)

	exec := func(stmt string, args ...any) {
		t.Helper()
		w, err := duckdb.Open(context.Background(), duckdb.Config{Path: path, Schema: "synctrack", MemoryLimit: duckdb.DefaultMemoryLimit}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if _, err := w.DB().Exec(stmt, args...); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	exec(`UPDATE synctrack.sync_records SET _identifier_hash = xor(_identifier_hash, 1) WHERE identifier = ?`, ident)
	found("with the record's keys wrong", 0, 0)
	// The keys stay wrong; the stamp says another DuckDB computed them.
	exec(`COMMENT ON COLUMN synctrack.sync_records._identifier_hash IS 'another DuckDB''s hash'`)
	found("with another DuckDB's stamp", want, 1)
}
