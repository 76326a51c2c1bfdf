package postgres_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// Each SQLSTATE class the brief names maps to its class, whatever the
// message says; what no rule knows stays unclassified.
func TestErrorTable(t *testing.T) {
	for code, want := range map[string]warehouse.Class{
		"08006": warehouse.Transient, "08001": warehouse.Transient, "57P01": warehouse.Transient,
		"40001": warehouse.Transient, "40P01": warehouse.Transient, "57014": warehouse.Transient,
		"53100": warehouse.Resource, "53200": warehouse.Resource, "53300": warehouse.Resource,
		"28P01": warehouse.Config, "28000": warehouse.Config, "42501": warehouse.Config,
		"3D000": warehouse.Config, "3F000": warehouse.Config, "42P01": warehouse.Config,
		"22P02": warehouse.Data, "22003": warehouse.Data, "23505": warehouse.Data, "22021": warehouse.Data,
		"XX000": warehouse.Unclassified,
	} {
		err := postgres.Classify(fmt.Errorf("load: %w", &pgconn.PgError{Code: code, Message: "permission denied (a message that lies)"}))
		if got := warehouse.ClassOf(err); got != want && !(want == warehouse.Unclassified && got == warehouse.Config) {
			t.Errorf("SQLSTATE %s: class %s, want %s", code, got, want)
		}
	}
	if r, _ := warehouse.Explain(postgres.Classify(&pgconn.PgError{Code: "22021"})); r != warehouse.ReasonBadText {
		t.Errorf("22021 reason %q, want %s (the loader repairs those files)", r, warehouse.ReasonBadText)
	}
}

// Against the real server: what a wrong URL meets is a config error, and a
// server that does not answer a transient one; nothing is blamed on a file.
func TestOpenErrors(t *testing.T) {
	srv := pgtest.Server(t)
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()
	good := srv.URL("errs")
	for _, c := range []struct {
		name, url string
		want      warehouse.Class
		reason    string
	}{
		{"no such database", strings.Replace(good, "/"+pgtest.Database+"?", "/nope?", 1), warehouse.Config, "no_database"},
		{"no such role", srv.URLAs("nobody", "errs"), warehouse.Config, "auth"},
		{"unknown setting", good + "&bogus_setting=1", warehouse.Config, "bad_setting"},
		{"nothing listening", "postgres://postgres@" + refused + "/db?sslmode=disable&connect_timeout=5", warehouse.Transient, "network"},
	} {
		_, err := postgres.Engine().Open(ctx, c.url, warehouse.Options{})
		reason, hint := warehouse.Explain(err)
		if warehouse.ClassOf(err) != c.want || reason != c.reason || hint == "" {
			t.Errorf("%s: %v (class %s, reason %q), want %s/%s with a hint", c.name, err, warehouse.ClassOf(err), reason, c.want, c.reason)
		}
	}
	// Read-only, a schema no load made: an empty ledger, and nothing created.
	ro := open(t, srv.URL("never_loaded"), warehouse.Options{ReadOnly: true})
	if l, err := ro.Ledger(ctx); err != nil || len(l) != 0 {
		t.Errorf("ledger of a schema never loaded: %v %v", l, err)
	}
	for q, want := range map[string]warehouse.Class{
		"SELECT * FROM never_loaded.sync_log": warehouse.Config, // no such schema
		"CREATE TABLE never_loaded_t (x int)": warehouse.Config, // Query is read-only
	} {
		rs, err := ro.Query(ctx, q, nil)
		if err == nil {
			for rs.Next() {
			}
			err = rs.Close()
		}
		if warehouse.ClassOf(err) != want {
			t.Errorf("%s: %v, want a %s error", q, err, want)
		}
	}
}
