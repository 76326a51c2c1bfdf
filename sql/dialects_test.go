package sql

import (
	"testing"

	"github.com/synctrack/synctrack/dialects"
)

// testDialects are the dialects these tests render. The engines hand theirs
// out through the warehouse registry, which this package may not import (the
// engines import it); TestEveryTemplateFolderIsTested keeps the two in step.
var testDialects = map[string]Dialect{
	"duckdb":    dialects.DuckDB{},
	"snowflake": dialects.Snowflake{},
	"bigquery":  dialects.BigQuery{},
}

func dialectNamed(t testing.TB, name string) Dialect {
	t.Helper()
	d, ok := testDialects[name]
	if !ok {
		t.Fatalf("no test dialect %q", name)
	}
	return d
}

func TestEveryTemplateFolderIsTested(t *testing.T) {
	ds := Dialects()
	if len(ds) < 3 {
		t.Fatalf("template folders: %v", ds)
	}
	for _, name := range ds {
		if testDialects[name] == nil {
			t.Errorf("templates in sql/%s have no dialect in testDialects", name)
		}
	}
}
