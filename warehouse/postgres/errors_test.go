package postgres_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
	// A crash elsewhere in the server (a full disk under pg_wal PANICs it)
	// is said as such, not as the network.
	if r, hint := warehouse.Explain(postgres.Classify(&pgconn.PgError{Code: "57P02", Severity: "FATAL"})); r != "server_crash" || !strings.Contains(hint, "pg_wal") {
		t.Errorf("57P02: reason %q (%s), want server_crash naming pg_wal", r, hint)
	}
	if r, _ := warehouse.Explain(postgres.Classify(&pgconn.PgError{Code: "53100", Severity: "PANIC"})); r != "disk_full" {
		t.Errorf("a PANIC with 53100: reason %q, want disk_full", r)
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

// refusingServer speaks just enough of the protocol to refuse TLS (as a
// server without ssl does) and then a login with SQLSTATE 28P01.
func refusingServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					var head [8]byte
					if _, err := io.ReadFull(c, head[:4]); err != nil {
						return
					}
					n := binary.BigEndian.Uint32(head[:4])
					if n < 8 || n > 1<<16 {
						return
					}
					body := make([]byte, n-4)
					if _, err := io.ReadFull(c, body); err != nil {
						return
					}
					if code := binary.BigEndian.Uint32(body[:4]); n == 8 && (code == 80877103 || code == 80877104) {
						c.Write([]byte{'N'}) // SSLRequest or GSSENCRequest: not here
						continue
					}
					fields := "SFATAL\x00VFATAL\x00C28P01\x00Mpassword authentication failed for user \"loader\"\x00\x00"
					msg := binary.BigEndian.AppendUint32([]byte{'E'}, uint32(4+len(fields)))
					c.Write(append(msg, fields...))
					return
				}
			}()
		}
	}()
	return l.Addr().String()
}

// A wrong password on a server without TLS reads as the wrong password, not
// first as "server refused TLS connection" (pgx's sslmode=prefer asks for
// TLS and falls back); sslmode=require there is its own config error with
// the fix; a dial refused on both tries is said once.
func TestConnectErrorsSaidPlainly(t *testing.T) {
	t.Setenv("PGPASSWORD", "wrong")
	addr := refusingServer(t)
	ctx := context.Background()
	_, err := postgres.Engine().Open(ctx, "postgres://loader@"+addr+"/db?connect_timeout=5", warehouse.Options{})
	reason, hint := warehouse.Explain(err)
	if err == nil || strings.Contains(err.Error(), "tls") || !strings.Contains(err.Error(), "password authentication failed") ||
		warehouse.ClassOf(err) != warehouse.Config || reason != "auth" || hint == "" {
		t.Errorf("wrong password, sslmode=prefer: %v (class %s, reason %q)", err, warehouse.ClassOf(err), reason)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28P01" {
		t.Errorf("the server's error is lost under the message: %#v", err)
	}
	_, err = postgres.Engine().Open(ctx, "postgres://loader@"+addr+"/db?connect_timeout=5&sslmode=require", warehouse.Options{})
	if reason, hint := warehouse.Explain(err); reason != "tls" || !strings.Contains(hint, "sslmode") {
		t.Errorf("sslmode=require, server without TLS: %v (reason %q, hint %q)", err, reason, hint)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()
	_, err = postgres.Engine().Open(ctx, "postgres://loader@"+refused+"/db?connect_timeout=5", warehouse.Options{})
	if err == nil || strings.Count(err.Error(), "connection refused") != 1 || warehouse.ClassOf(err) != warehouse.Transient {
		t.Errorf("nothing listening: %v (class %s)", err, warehouse.ClassOf(err))
	}
}

// With sslmode=require and several hosts, a host without TLS is tried once,
// with TLS, and its refusal is the cause to fix: it is not dropped as
// sslmode=prefer's first try is (there the same host is tried again in
// plain text), whatever the other host said.
func TestConnectRequireSeveralHostsKeepsRefusedTLS(t *testing.T) {
	t.Setenv("PGPASSWORD", "wrong")
	noTLS := refusingServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	for _, hosts := range []string{noTLS + "," + down, down + "," + noTLS} {
		_, err := postgres.Engine().Open(context.Background(), "postgres://loader@"+hosts+"/db?connect_timeout=5&sslmode=require", warehouse.Options{})
		if reason, _ := warehouse.Explain(err); err == nil || !strings.Contains(err.Error(), "server refused TLS connection") || reason != "tls" {
			t.Errorf("sslmode=require, hosts %s: %v (reason %q)", hosts, err, reason)
		}
	}
}
