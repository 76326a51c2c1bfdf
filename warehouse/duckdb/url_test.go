package duckdb

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url, path, schema, err string
	}{
		{"duckdb://./sync-logs.duckdb", "sync-logs.duckdb", "synctrack", ""},
		{"duckdb:///abs/dir/w.duckdb?schema=logs", "/abs/dir/w.duckdb", "logs", ""},
		{"duckdb://w.duckdb", "w.duckdb", "synctrack", ""},
		{"duckdb://./synctrack.duckdb", "", "", "ambiguous"},
		{"duckdb://./logs.db?schema=LOGS", "", "", "ambiguous"},
		{"duckdb://./synctrack.duckdb?schema=tracking", "synctrack.duckdb", "tracking", ""},
		{"duckdb://", "", "", "no database file"},
		{"postgres://x", "", "", "want duckdb://"},
		{"duckdb:///tmp/x.duckdb?schema=memory", "", "", "one of DuckDB's own catalogs"},
		{"duckdb:///tmp/x.duckdb?schema=Temp", "", "", "one of DuckDB's own catalogs"},
		{"duckdb://./w.duckdb?threads=x", "", "", "threads"},
		{"duckdb://./w.duckdb?memory_limit=abc", "", "", "not a size"},
		{"duckdb://./w.duckdb?memory_limit=2GB", "w.duckdb", "synctrack", ""},
		// A pair url.Query would drop: refused, naming the parameter, not
		// loaded without the settings the user typed.
		{"duckdb:///tmp/x.db?threads=2;foo=bar", "", "", `parameter "threads": a ; does not separate parameters`},
		{"duckdb:///tmp/x.db?schema=logs&memory_limit=1GB;threads=2", "", "", `parameter "memory_limit"`},
		{"duckdb:///tmp/x.db?schema=a%zz", "", "", `parameter "schema": its value has a bad %-escape`},
	} {
		got, err := ParseURL(c.url)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.url, err, c.err)
			}
			continue
		}
		if err != nil || got.Path != c.path || got.Schema != c.schema {
			t.Errorf("%s: %+v, %v; want path %q schema %q", c.url, got, err, c.path, c.schema)
		}
	}
}
