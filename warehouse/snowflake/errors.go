package snowflake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	sf "github.com/snowflakedb/gosnowflake"
)

// Class says what kind of failure a Snowflake error is, which decides whether
// retrying can help and what the user must fix.
type Class string

const (
	ClassAuth       Class = "authentication"
	ClassPermission Class = "permission"
	ClassWarehouse  Class = "warehouse"
	ClassMissing    Class = "missing object"
	ClassSQL        Class = "SQL"
	ClassData       Class = "data"
	ClassTransient  Class = "transient"
)

// Error is a classified Snowflake error. Its text never holds a secret.
type Error struct {
	Class     Class
	Retryable bool
	Code      int    // Snowflake's error number, 0 if none
	Hint      string // what to fix
	Statement string // the statement's first line
	msg       string
	err       error
}

func (e *Error) Error() string {
	s := "snowflake " + string(e.Class) + " error: " + e.msg
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.err }

// IsRetryable says whether err, from this package, may pass if tried again.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}

// classify wraps err with its class, retryability and a hint.
func (w *Warehouse) classify(err error, stmt string) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	e := Classify(err)
	e.Statement = firstLine(stmt)
	e.msg = redact(e.msg, w.c.secrets)
	return e
}

// Classify sorts an error from the driver into a Class.
func Classify(err error) *Error {
	e := &Error{Class: ClassSQL, msg: err.Error(), err: err}
	var se *sf.SnowflakeError
	if errors.As(err, &se) {
		e.Code = se.Number
		e.msg = fmt.Sprintf("%06d (%s): %s", se.Number, se.SQLState, se.Message)
	}
	lower := strings.ToLower(e.msg)
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		e.Class, e.Retryable = ClassTransient, true
	case e.Code == 390100 || e.Code == 390144 || e.Code == 390303 || e.Code == 390318 ||
		e.Code == 390101 || e.Code == 390422 || e.Code == sf.ErrCodeFailedToConnect ||
		strings.Contains(lower, "incorrect username or password") || strings.Contains(lower, "jwt token is invalid"):
		e.Class = ClassAuth
		e.Hint = "check the user and account in the DSN and the secret in " + EnvPassword + ", " +
			EnvPrivateKey + " (its public key set with ALTER USER ... SET RSA_PUBLIC_KEY) or " + EnvToken
	case e.Code == 3001 || (se != nil && se.SQLState == "42501") || strings.Contains(lower, "insufficient privileges"):
		e.Class = ClassPermission
		e.Hint = "grant the role the privileges listed in the README's Snowflake section"
	case strings.Contains(lower, "suspended") || strings.Contains(lower, "cannot be resumed") ||
		strings.Contains(lower, "resource monitor"):
		e.Class, e.Retryable = ClassWarehouse, true
		e.Hint = "resume the warehouse (ALTER WAREHOUSE ... RESUME) or raise its resource monitor quota"
	case e.Code == 606 || strings.Contains(lower, "no active warehouse"):
		e.Class = ClassWarehouse
		e.Hint = "add warehouse=NAME to the DSN and GRANT USAGE ON WAREHOUSE NAME to the role"
	case e.Code == 2003 || e.Code == 2043 || strings.Contains(lower, "does not exist or not authorized"):
		e.Class = ClassMissing
		e.Hint = "check database, schema and stage names in the URL and the role's USAGE grants; " +
			"run `synctrack load --setup` to create the stage and tables"
	case e.Code == sf.ErrFailedToPostQuery || e.Code == sf.ErrCodeServiceUnavailable ||
		e.Code == 625 || e.Code == 604 || e.Code == 603 || e.Code == 630 ||
		strings.Contains(lower, "lock") || errors.As(err, &ne):
		e.Class, e.Retryable = ClassTransient, true
		e.Hint = "retried on the next load"
	case e.Code >= 100000 && e.Code < 200000:
		e.Class = ClassData
		e.Hint = "the file's data cannot be read; it is recorded as failed and retried next load"
	case e.Code >= 1000 && e.Code < 3000:
		e.Hint = "synctrack rendered SQL Snowflake rejects; please report it with this message"
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
