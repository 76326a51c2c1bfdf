package duckdb

import (
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// DefaultMemoryLimit keeps a load, the Go side included, well under 1 GiB of RSS.
const DefaultMemoryLimit = "512MB"

// Config is what a duckdb:// URL says.
type Config struct {
	Path        string // database file
	Schema      string // default "synctrack"
	MemoryLimit string // DuckDB memory_limit, default DefaultMemoryLimit
	Threads     int    // 0: DuckDB's default
	ReadOnly    bool
	Logger      *slog.Logger // statements at debug level; none when nil
}

// checkSchema refuses a schema named as one of DuckDB's own catalogs:
// system and temp in every database, memory in the in-memory one serve
// reads through. DuckDB reads schema.sync_log as catalog.table too, so
// the reference would be ambiguous.
func checkSchema(s string) error {
	for _, reserved := range []string{"memory", "system", "temp"} {
		if strings.EqualFold(s, reserved) {
			return fmt.Errorf("the name of one of DuckDB's own catalogs, so %s.sync_log would be ambiguous", s)
		}
	}
	return nil
}

// memorySize is what DuckDB's memory_limit takes: a number and a unit.
var memorySize = regexp.MustCompile(`(?i)^\s*[0-9]+(\.[0-9]+)?\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|%)?\s*$`)

// urlParams are the parameters a duckdb:// URL may carry.
var urlParams = []string{"schema", "memory_limit", "threads"}

// ParseURL reads duckdb://./file.duckdb, duckdb:///abs/file.duckdb or
// duckdb://file.duckdb, with optional ?schema=&memory_limit=&threads=.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "duckdb" {
		return Config{}, fmt.Errorf("warehouse URL %q: want duckdb://PATH", raw)
	}
	p := u.Host + u.Path
	if u.Host == "" {
		p = u.Path
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return Config{}, fmt.Errorf("warehouse URL %q: no database file named", raw)
	}
	c := Config{Path: filepath.Clean(p), Schema: "synctrack", MemoryLimit: DefaultMemoryLimit}
	q, err := warehouse.URLParams(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: %w", raw, err)
	}
	for k := range q {
		if !slices.Contains(urlParams, k) {
			return Config{}, fmt.Errorf("warehouse URL %q: unknown parameter %q (known: %s)", raw, k, strings.Join(urlParams, ", "))
		}
	}
	if s := q.Get("schema"); s != "" {
		c.Schema = s
	}
	if err := checkSchema(c.Schema); err != nil {
		return Config{}, fmt.Errorf("warehouse URL %q: schema %q: %w; choose another ?schema= (the default is synctrack)", raw, c.Schema, err)
	}
	// DuckDB names a database file's catalog after the file: synctrack.duckdb
	// holds catalog "synctrack", and with schema "synctrack" every
	// synctrack.sync_log, ours and the user's, is an ambiguous reference.
	base := filepath.Base(c.Path)
	if catalog := strings.TrimSuffix(base, filepath.Ext(base)); strings.EqualFold(catalog, c.Schema) {
		return Config{}, fmt.Errorf("warehouse URL %q: DuckDB names the database %q after its file, the same as the schema, "+
			"so %s.sync_log would be ambiguous; name the file otherwise (e.g. sync-logs.duckdb) or set ?schema=", raw, catalog, c.Schema)
	}
	if s := q.Get("memory_limit"); s != "" {
		if !memorySize.MatchString(s) {
			return Config{}, fmt.Errorf("warehouse URL %q: memory_limit=%q is not a size (e.g. 512MB, 2GB)", raw, s)
		}
		c.MemoryLimit = s
	}
	if s := q.Get("threads"); s != "" {
		if _, err := fmt.Sscan(s, &c.Threads); err != nil || c.Threads < 0 {
			return Config{}, fmt.Errorf("warehouse URL %q: threads=%q is not a count", raw, s)
		}
	}
	return c, nil
}
