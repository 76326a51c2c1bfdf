package main

import (
	dbsql "database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A sync and a run named ".." (a renamed warehouse's data) are reached in
// a real browser by the pages' links: the URL a link resolves to (a.href,
// as chromium reads it) opens that sync's and that run's page, and the
// run's downloads are its records. A link /syncs/%2E%2E was the list of
// every sync there.
func TestBrowserDotIDsLinkToTheirPages(t *testing.T) {
	chromium := needChromium(t)
	_, db := loadedWarehouse(t, "--orgs", "1", "--syncs", "2", "--runs", "2", "--rows", "20")
	renameToDots(t, db)
	base := startServe(t, "--warehouse", "duckdb://"+db)
	b := &browserT{t: t, ctx: newTab(t, chromium, 1360, 2*time.Minute)}

	b.open(base + "/")
	b.open(b.hrefNamed(".."))
	if h1 := b.text("h1"); h1 != "Sync history .." {
		t.Fatalf("the sync's link opens %s, h1 %q", b.eval(`location.pathname`), h1)
	}
	b.open(b.hrefNamed(".."))
	if h1 := b.text("h1"); h1 != "Run .." {
		t.Fatalf("the run's link opens %s, h1 %q", b.eval(`location.pathname`), h1)
	}
	for _, sel := range []string{`.downloads a[href*="records.csv"]`, `.downloads a[href*="records.json"]`} {
		href := b.eval(`document.querySelector(` + quoteJSON(sel) + `).href`)
		resp, err := http.Get(href)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(href, "/runs/..../") {
			t.Errorf("the download %s answers %d", href, resp.StatusCode)
		}
	}
	// The record's page links back to the run.
	b.open(b.eval(`document.querySelector(".records tbody th a").href`))
	b.open(b.eval(`[...document.querySelectorAll(".records tbody td a")].find(a => a.textContent === "..").href`))
	if h1 := b.text("h1"); h1 != "Run .." {
		t.Errorf("the record page's run link opens %s, h1 %q", b.eval(`location.pathname`), h1)
	}
}

// hrefNamed is the URL chromium resolves the page's first link named text
// to.
func (b *browserT) hrefNamed(text string) string {
	b.t.Helper()
	href := b.eval(`([...document.querySelectorAll("main a")].find(a => a.textContent === ` + quoteJSON(text) + `) || {}).href || ""`)
	if href == "" {
		b.t.Fatalf("%s: no link named %q", b.eval(`location.pathname`), text)
	}
	return href
}

// renameToDots renames the first sync to ".." and its first run to "..",
// in every table that names them: no bucket folder is named "..".
func renameToDots(t *testing.T, path string) {
	t.Helper()
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sync, run string
	if err := db.QueryRow(`SELECT sync_configuration_id, sync_run_id FROM synctrack.sync_runs
ORDER BY sync_configuration_id, sync_run_id LIMIT 1`).Scan(&sync, &run); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT c.table_name FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'synctrack' AND t.table_type = 'BASE TABLE' AND c.column_name = 'sync_run_id'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, tbl := range tables {
		q := fmt.Sprintf(`UPDATE synctrack.%q SET sync_run_id = CASE WHEN sync_run_id = ? THEN '..' ELSE sync_run_id END,
  sync_configuration_id = '..' WHERE sync_configuration_id = ?`, tbl)
		if _, err := db.Exec(q, run, sync); err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
	}
}
