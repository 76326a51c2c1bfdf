package warehouse

import (
	"errors"
	"fmt"
)

// ErrSeveralStatements is a person's SQL holding more than one statement:
// synctrack query runs one and prints its rows, and would otherwise run the
// others unseen (DuckDB runs every statement and returns the last's rows).
var ErrSeveralStatements = errors.New("more than one statement")

// SeveralStatements is the error for SQL of n statements, as the engine's
// own parser splits it.
func SeveralStatements(engine string, n int) error {
	return &Error{Class: Config, Reason: "several_statements",
		Hint: "synctrack query runs one statement: run each on its own",
		Err:  fmt.Errorf("%w: %s reads %d statements", ErrSeveralStatements, engine, n)}
}

// ErrNoFileAccess is a person's statement that reads or writes a file
// (read_csv, COPY): synctrack query reads the warehouse only.
var ErrNoFileAccess = errors.New("synctrack query reads the warehouse only, no file is read or written (file access is disabled)")

// NoFileAccess is the error for a statement refused for touching a file;
// says is the engine's own message.
func NoFileAccess(engine, says string) error {
	return &Error{Class: Config, Reason: "file_access",
		Err: fmt.Errorf("%w: %s says %s", ErrNoFileAccess, engine, says)}
}

// RefusedQuery is err from running a statement a person wrote. The
// engines' error tables speak of synctrack's own SQL and of loads ("a bug:
// please report it", "recorded as failed and retried on the next load"),
// which a person's statement is neither: an error the engine has for the
// statement itself (its syntax, a table it does not know, data it cannot
// read, or one no table knew) is the engine refusing the query, in its own
// words with no hint, class Config. The warehouse being away (Transient,
// Resource) and the connection's own settings (login, permission) keep
// their class and hint.
func RefusedQuery(engine string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Class == Transient || e.Class == Resource || (e.Class == Config && e.Reason != "sql") {
			return err
		}
		if e == err {
			// Classify wraps the engine's error as it was: the hint is all
			// that goes.
			err = e.Err
		}
	}
	return &Error{Class: Config, Reason: "query", Err: fmt.Errorf("%s refused the query: %w", engine, err)}
}
