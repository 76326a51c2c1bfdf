package postgres

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/synctrack/synctrack/warehouse"
)

// errorRules map what PostgreSQL says to a class by SQLSTATE (the server's
// own error codes, stable across versions and languages, unlike its
// messages), first match wins; what the operating system and the network
// say is warehouse.OSRules, after these. Which file a data error is about is
// decided where the COPY knows it (records.go), never from the text.
var errorRules = []warehouse.Rule{
	// crash_shutdown: what every other session hears when one server
	// process dies. A full disk under pg_wal is one way: PostgreSQL PANICs
	// rather than write a partial WAL, and a session whose own write hit it
	// gets 53100 (disk_full, below), the others this.
	{Class: warehouse.Transient, Reason: "server_crash", Match: sqlstate("57P02"),
		Hint: "another PostgreSQL process crashed and the server restarts (a full disk under pg_wal is one cause): its log says why; the next load tries again"},
	{Class: warehouse.Transient, Reason: "connection", Match: sqlstate("08", "57P01", "57P03"),
		Contains: []string{"conn closed", "unexpected eof", "server closed the connection"},
		Hint:     "the connection to PostgreSQL broke or the server is restarting; the next load tries again"},
	{Class: warehouse.Transient, Reason: "conflict", Match: sqlstate("40001", "40P01", "55P03"),
		Hint: "a serialization failure, deadlock or lock timeout with another session; the next load tries again"},
	{Class: warehouse.Transient, Reason: "canceled", Match: sqlstate("57014"),
		Hint: "the statement was cancelled (statement_timeout, or pg_cancel_backend); the next load tries again"},
	{Class: warehouse.Resource, Reason: "disk_full", Match: sqlstate("53100"),
		Hint: "the database server's disk is full: free space there, then load again; nothing was blamed on any object"},
	{Class: warehouse.Resource, Reason: "memory", Match: sqlstate("53200"),
		Hint: "the database server ran out of memory; lower --batch-bytes or give the server more"},
	{Class: warehouse.Resource, Reason: "connections", Match: sqlstate("53300", "53400"),
		Hint: "the server has no connection slot free (max_connections); try again when others let go"},
	{Class: warehouse.Config, Reason: "auth", Match: sqlstate("28"),
		Hint: "check the user in the URL and its password (PGPASSWORD, ~/.pgpass or " + PasswordEnv + ") and pg_hba.conf"},
	{Class: warehouse.Config, Reason: "tls", Contains: []string{strings.ToLower(refusedTLS)},
		Hint: "the server takes no TLS connections and the URL's sslmode (require, verify-ca or verify-full) asks for one: turn ssl on in the server, or set sslmode=prefer or disable"},
	{Class: warehouse.Config, Reason: "permission", Match: sqlstate("42501"),
		Hint: "grant the loading role what README's Postgres section lists (CREATE on the database for the first run, or own the schema)"},
	// A load creates the schema and its tables, never the database.
	{Class: warehouse.Config, Reason: "no_database", Match: sqlstate("3D000"),
		Hint: "the database in the URL does not exist on this server: create it (createdb) or fix the URL's /DB"},
	{Class: warehouse.Config, Reason: "not_found", Match: sqlstate("3F000", "42P01", "42883"),
		Hint: "the database, schema or table does not exist: check the URL, or load once to create the schema"},
	{Class: warehouse.Config, Reason: "bad_setting", Match: sqlstate("42704", "22023"),
		Hint: "a URL parameter that is neither synctrack's nor pgx's is sent to the server as a setting; check its spelling"},
	{Class: warehouse.Config, Reason: "read_only", Match: sqlstate("25006"),
		Hint: "the server or the transaction is read-only (a standby, or default_transaction_read_only): point the URL at the primary"},
	{Class: warehouse.Config, Reason: "dependents", Match: sqlstate("2BP01"),
		Hint: "a view or table of yours depends on one synctrack must replace: drop it, run synctrack views, then create it again"},
	{Class: warehouse.Data, Reason: warehouse.ReasonBadText, Match: sqlstate("22021", "22P05"),
		Hint: "the file holds text the database cannot store in its encoding"},
	{Class: warehouse.Data, Reason: "bad_object", Match: sqlstate("22", "23", "54000"),
		Hint: "the object's data cannot be stored; it is recorded as failed and retried on the next load"},
}

// sqlstate matches a server error whose SQLSTATE starts with any of codes
// (a whole code, or a two-character class).
func sqlstate(codes ...string) func(error) bool {
	return func(err error) bool {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			return false
		}
		for _, c := range codes {
			if strings.HasPrefix(pe.Code, c) {
				return true
			}
		}
		return false
	}
}

// classify gives err its class.
func classify(err error) error {
	return warehouse.Classify(err, errorRules, warehouse.OSRules)
}

// code is err's SQLSTATE, "" when the server did not send one.
func code(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

const refusedTLS = "tls error: server refused TLS connection"

// withoutRefusedTLS drops from a failed connect the attempts that only
// learned the server takes no TLS before the same address was tried again
// without: with sslmode=prefer (pgx's default) pgx asks for TLS, is
// refused, and tries again in plain text, so a wrong
// password reads "tls error: server refused TLS connection" first, which is
// not the problem. The attempt that reached the server stays, and so does
// the cause underneath (errors.As still finds the server's error); the same
// failure twice is said once. With one attempt, or when every attempt was a
// refused TLS, err is returned as is.
func withoutRefusedTLS(err error) error {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return err
	}
	joined, ok := ce.Unwrap().(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	attempts := joined.Unwrap()
	var kept []string
	for _, a := range attempts {
		m := a.Error()
		// A refused TLS is dropped only when the same address was tried
		// again without TLS (sslmode=prefer's fallback): with sslmode=require
		// and several hosts (or a name with several addresses) it is the
		// only word on that host, and the cause to fix.
		if at, ok := strings.CutSuffix(m, refusedTLS); ok && triedWithout(attempts, at) {
			continue
		}
		// A dial refused twice (once for TLS, once without) is said once.
		if !slices.Contains(kept, m) {
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 || len(kept) == len(joined.Unwrap()) {
		return err
	}
	return &connectError{msg: fmt.Sprintf("failed to connect to `user=%s database=%s`: %s",
		ce.Config.User, ce.Config.Database, strings.Join(kept, "; ")), err: err}
}

// triedWithout says whether an attempt other than a refused TLS was made at
// the address at ("ADDRESS (HOST): ", as pgx begins each attempt's error).
func triedWithout(attempts []error, at string) bool {
	if at == "" {
		return false
	}
	for _, a := range attempts {
		if m := a.Error(); strings.HasPrefix(m, at) && !strings.HasSuffix(m, refusedTLS) {
			return true
		}
	}
	return false
}

// connectError is a failed connect said more plainly, wrapping what pgx said.
type connectError struct {
	msg string
	err error
}

func (e *connectError) Error() string { return e.msg }
func (e *connectError) Unwrap() error { return e.err }
