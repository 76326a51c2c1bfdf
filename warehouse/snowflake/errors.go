package snowflake

import (
	"errors"
	"fmt"
	"strings"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/synctrack/synctrack/warehouse"
)

// Error is what Snowflake said, as synctrack reports it: its number, its
// message and the statement's first line. Its text never holds a secret.
// The class and the hint are on the warehouse.Error that wraps it.
type Error struct {
	Code      int    // Snowflake's error number, 0 if none
	SQLState  string // the SQLSTATE, "" if none
	Statement string // the statement's first line
	msg       string
	err       error
}

func (e *Error) Error() string { return "snowflake: " + e.msg }

func (e *Error) Unwrap() error { return e.err }

// errorRules map Snowflake's errors to a class, first match wins. Numbers are
// Snowflake's (docs.snowflake.com, "Error codes"; 39xxxx are login errors,
// 100xxx data errors of COPY and conversions).
var errorRules = []warehouse.Rule{
	// First: a data error's message quotes the file's values ("Numeric
	// value 'warehouse suspended' is not recognized"), which the words of
	// the rules below could match, and a file's error taken for a
	// suspended warehouse would stop every load.
	{Class: warehouse.Data, Reason: "bad_object", Match: func(err error) bool { c := code(err); return c >= 100000 && c < 200000 },
		Hint: "the file's data cannot be read; it is recorded as failed and retried next load"},
	{Class: warehouse.Config, Reason: "login", Match: codeIn(390100, 390144, 390303, 390318, 390101, 390422, sf.ErrCodeFailedToConnect),
		Contains: []string{"incorrect username or password", "jwt token is invalid"},
		Hint: "check the user and account in the DSN and the secret in " + EnvPassword + ", " +
			EnvPrivateKey + " (its public key set with ALTER USER ... SET RSA_PUBLIC_KEY) or " + EnvToken},
	{Class: warehouse.Config, Reason: "permission", Match: func(err error) bool { return code(err) == 3001 || state(err) == "42501" },
		Contains: []string{"insufficient privileges"},
		Hint:     "grant the role the privileges listed in the README's Snowflake section"},
	{Class: warehouse.Resource, Reason: "quota", Contains: []string{"suspended", "cannot be resumed", "resource monitor"},
		Hint: "resume the warehouse (ALTER WAREHOUSE ... RESUME) or raise its resource monitor quota"},
	{Class: warehouse.Config, Reason: "no_warehouse", Match: codeIn(606), Contains: []string{"no active warehouse"},
		Hint: "add warehouse=NAME to the DSN and GRANT USAGE ON WAREHOUSE NAME to the role"},
	{Class: warehouse.Config, Reason: "missing", Match: codeIn(2003, 2043), Contains: []string{"does not exist or not authorized"},
		Hint: "check database, schema and stage names in the URL and the role's USAGE grants; " +
			"run `synctrack load --setup` to create the stage and tables"},
	{Class: warehouse.Transient, Reason: "unavailable", Match: func(err error) bool {
		c := code(err)
		return c == sf.ErrFailedToPostQuery || c == sf.ErrCodeServiceUnavailable || c == 625 || c == 604 || c == 603 || c == 630
		// After its own retries of an HTTP 5xx (or 429) the driver gives up
		// with a plain "timeout after ... HTTP Status: 503. Hanging?".
	}, Contains: []string{"lock wait", "locked table", "lock timeout", "waiting for lock", "http status: 5", "http status: 429", "hanging?"},
		Hint: "Snowflake was busy or out of reach; load again (the daemon retries by itself)"},
	{Class: warehouse.Config, Reason: "sql", Match: func(err error) bool { c := code(err); return c >= 1000 && c < 3000 },
		Hint: "synctrack rendered SQL Snowflake rejects; please report it with this message"},
}

func code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func state(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.SQLState
	}
	return ""
}

func codeIn(codes ...int) func(error) bool {
	return func(err error) bool {
		c := code(err)
		for _, x := range codes {
			if c == x && c != 0 {
				return true
			}
		}
		return false
	}
}

// isMissing says whether err is "does not exist or not authorized".
func isMissing(err error) bool {
	r, _ := warehouse.Explain(err)
	return r == "missing"
}

// classify wraps err with its class and hint, with secrets removed.
func (w *Warehouse) classify(err error, stmt string) error {
	if err == nil {
		return nil
	}
	var done *warehouse.Error
	if errors.As(err, &done) {
		return err
	}
	e := Classify(err)
	e.Statement = firstLine(stmt)
	e.msg = redact(e.msg, w.c.secrets)
	return warehouse.Classify(e, errorRules, warehouse.OSRules)
}

// Classify reads what the driver said into an Error (no class yet).
func Classify(err error) *Error {
	e := &Error{msg: err.Error(), err: err}
	var se *sf.SnowflakeError
	if errors.As(err, &se) {
		e.Code, e.SQLState = se.Number, se.SQLState
		e.msg = fmt.Sprintf("%06d (%s): %s", se.Number, se.SQLState, se.Message)
	}
	return e
}

// redact replaces each secret in s.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 3 {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

// redactErr removes the DSN (which may hold a password) from a parse error.
func redactErr(err error, dsn string) string {
	s := err.Error()
	if dsn != "" {
		s = strings.ReplaceAll(s, dsn, "<dsn>")
	}
	if user, ok := userInfo(dsn); ok {
		if _, pass, ok := strings.Cut(user, ":"); ok && pass != "" {
			s = strings.ReplaceAll(s, pass, "***")
		}
	}
	return s
}
