package reportrun

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// A template the engine refuses for a name it does not know (a view older
// than the binary) is exit 2 saying synctrack views; any other error keeps
// its class. A first version made every error no table knew exit 2 with
// that hint, BigQuery's jobInternalError among them, whose remedy is to
// retry (found by a review).
func TestRefusedOnlyForUnknownNames(t *testing.T) {
	ctx := context.Background()
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		name  string
		ctx   context.Context
		err   error
		class warehouse.Class
		stale bool
	}{
		{"duckdb binder", ctx, errors.New(`Binder Error: Values list "l" does not have a column named "_row"`), warehouse.Config, true},
		{"duckdb catalog, classified sql", ctx, &warehouse.Error{Class: warehouse.Config, Reason: "sql", Hint: "a bug",
			Err: errors.New("Catalog Error: Table with name run_outcomes does not exist!")}, warehouse.Config, true},
		{"postgres undefined column", ctx, &warehouse.Error{Class: warehouse.Unclassified,
			Err: errors.New(`ERROR: column l._row does not exist (SQLSTATE 42703)`)}, warehouse.Config, true},
		{"snowflake invalid identifier", ctx, errors.New(`000904 (42000): SQL compilation error: error line 22 at position 70 invalid identifier 'L._ROW'`), warehouse.Config, true},
		{"bigquery unrecognized name", ctx, errors.New(`googleapi: Error 400: Unrecognized name: _row at [22:70], invalidQuery`), warehouse.Config, true},
		{"bigquery internal error", ctx, &warehouse.Error{Class: warehouse.Unclassified, Reason: "invalid",
			Err: errors.New(`googleapi: Error 400: An internal error occurred and the request could not be completed, jobInternalError`)}, warehouse.Unclassified, false},
		{"an error no one knows", ctx, errors.New("connection reset by a gremlin"), warehouse.Unclassified, false},
		{"transient", ctx, &warehouse.Error{Class: warehouse.Transient, Reason: "network", Err: errors.New("Binder Error? no: dial tcp: i/o timeout")}, warehouse.Transient, false},
		{"stopped", stopped, fmt.Errorf("query: %w", context.Canceled), warehouse.Transient, false},
	} {
		got := refused(c.ctx, c.err)
		if cl := warehouse.ClassOf(got); cl != c.class {
			t.Errorf("%s: class %v, want %v (%v)", c.name, cl, c.class, got)
		}
		if s := strings.Contains(got.Error(), "synctrack views"); s != c.stale {
			t.Errorf("%s: says synctrack views %v, want %v: %v", c.name, s, c.stale, got)
		}
	}
}
