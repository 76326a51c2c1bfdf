package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// The URL after the scheme is pgx's, less synctrack's schema=; a password
// in it is refused and never repeated.
func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url, schema, err string
	}{
		{"postgres://u@h:5432/db", "synctrack", ""},
		{"postgresql://u@h/db?schema=Sync%20Logs&sslmode=require&connect_timeout=5&target_session_attrs=read-write", "Sync Logs", ""},
		{"postgres://u@/db?host=/run/postgresql&application_name=x", "synctrack", ""},
		{"postgres://u:hunter22@h/db", "", "no password in the URL"},
		{"postgres://u@h/db?password=hunter22", "", "no password in the URL"},
		// The client key's passphrase is a secret too: the URL is printed
		// (serve's first line, a missing schema's error).
		{"postgres://u@h/db?sslmode=require&sslpassword=hunter22", "", "no password in the URL"},
		{"postgres://u@h/db?schema=", "", "schema= is empty"},
		{"postgres://u@h:notaport/db", "", "want postgres://"},
		{"postgres://u@h/db?sslmode=bogus", "", "sslmode"},
		{"mysql://u@h/db", "", "want postgres://"},
		// Parameters that do not parse, or a schema PostgreSQL would refuse
		// or cut, are errors, not the default schema.
		{"postgres://u@h/db?schema=x;y", "", "do not parse"},
		{"postgres://u@h/db?schema=%zz", "", "do not parse"},
		{"postgres://u@h/db?sslmode=disable;schema=zz", "", "do not parse"},
		{"postgres://u@h/db?sslmode=disable;schema=zz", "", `parameter "sslmode": a ; does not separate parameters`},
		{"postgres://u@h/db?sslrootcert=%zz", "", `parameter "sslrootcert": its value has a bad %-escape`},
		{"postgres://u@h/db?schema=a&schema=b", "", "given 2 times"},
		{"postgres://u@h/db?schema=pg_foo", "", "reserves"},
		{"postgres://u@h/db?schema=a%00b", "", "NUL"},
		{"postgres://u@h/db?schema=" + strings.Repeat("s", 64), "", "63"},
		{"postgres://u@h/db?schema=" + strings.Repeat("s", 63), strings.Repeat("s", 63), ""},
		{"postgres://u@h/db?schema=PG_upper", "PG_upper", ""},
	} {
		cfg, err := postgres.ParseURL(c.url, func(string) string { return "" })
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.url, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one saying %q", c.url, err, c.err)
		case err != nil && strings.Contains(err.Error(), "hunter22"):
			t.Errorf("%s: the error repeats the password: %v", c.url, err)
		case err == nil && cfg.Schema != c.schema:
			t.Errorf("%s: schema %q, want %q", c.url, cfg.Schema, c.schema)
		case err == nil && cfg.Pool.ConnConfig.RuntimeParams["schema"] != "":
			t.Errorf("%s: schema= reached pgx as a server setting", c.url)
		}
	}
	cfg, err := postgres.ParseURL("postgres://u@h/db", func(k string) string {
		return map[string]string{postgres.PasswordEnv: "s3cr3t"}[k]
	})
	if err != nil || cfg.Pool.ConnConfig.Password != "s3cr3t" {
		t.Errorf("%s is not the password: %v", postgres.PasswordEnv, err)
	}
}

// The password comes from SYNCTRACK_POSTGRES_PASSWORD, PGPASSWORD or a
// ~/.pgpass file (PGPASSFILE), against a server that asks for it (SCRAM);
// without one, or a wrong one, the open fails as a config error, never
// repeating it.
func TestPasswordSources(t *testing.T) {
	srv := pgtest.Server(t)
	admin := open(t, pgtest.URL(t), warehouse.Options{})
	ctx := context.Background()
	_, err := admin.(*postgres.Warehouse).Pool().Exec(ctx, `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+pgtest.PasswordUser+`') THEN
    CREATE ROLE `+pgtest.PasswordUser+` LOGIN PASSWORD 'hunter22';
  END IF;
END $$; GRANT CREATE ON DATABASE `+pgtest.Database+` TO `+pgtest.PasswordUser)
	if err != nil {
		t.Fatal(err)
	}
	url := srv.URLAs(pgtest.PasswordUser, "pw_schema")
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	t.Setenv("PGPASSWORD", "")
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))
	_, err = postgres.Engine().Open(ctx, url, warehouse.Options{Env: env(nil)})
	if warehouse.ClassOf(err) != warehouse.Config {
		t.Fatalf("no password: %v (class %s), want a config error", err, warehouse.ClassOf(err))
	}
	_, err = postgres.Engine().Open(ctx, url, warehouse.Options{Env: env(map[string]string{postgres.PasswordEnv: "wrong"})})
	if warehouse.ClassOf(err) != warehouse.Config || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v (class %s), want a config error without it", err, warehouse.ClassOf(err))
	}
	w := open(t, url, warehouse.Options{Env: env(map[string]string{postgres.PasswordEnv: "hunter22"})})
	w.Close()

	t.Setenv("PGPASSWORD", "hunter22")
	open(t, url, warehouse.Options{Env: env(nil)}).Close()

	t.Setenv("PGPASSWORD", "")
	pass := filepath.Join(t.TempDir(), "pgpass")
	os.WriteFile(pass, []byte("*:*:*:"+pgtest.PasswordUser+":hunter22\n"), 0o600)
	t.Setenv("PGPASSFILE", pass)
	open(t, url, warehouse.Options{Env: env(nil)}).Close()
}
