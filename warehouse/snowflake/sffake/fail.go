package sffake

import (
	"net/http"
	"strings"
)

// Rule makes statements starting with Prefix and containing Match fail,
// Times times (-1: always): with the Snowflake error Code, SQLState and
// Message, or, when Status is set, with that HTTP status and no body the
// driver can read (as a proxy or an overloaded service answers). A Login
// rule fails the login request instead of a statement.
type Rule struct {
	Prefix, Match, Code, SQLState, Message string
	Times                                  int
	Status                                 int
	Login                                  bool
}

// Fail adds a failure rule; earlier rules are checked first.
func (f *Server) Fail(r Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, &r)
}

// failure finds the rule for a statement q (or the login, when login is set)
// and uses one of its times. A failed statement is recorded like any other.
func (f *Server) failure(q string, login bool) (map[string]any, int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !login {
		f.stmts = append(f.stmts, q)
	}
	for _, r := range f.fails {
		if r.Times == 0 || r.Login != login || !strings.HasPrefix(q, r.Prefix) || !strings.Contains(q, r.Match) {
			continue
		}
		r.Times--
		if r.Status != 0 {
			return nil, r.Status, true
		}
		return sqlError(r.Code, r.SQLState, r.Message), http.StatusOK, true
	}
	return nil, 0, false
}

func writeStatus(w http.ResponseWriter, status int, body map[string]any) {
	if body == nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	writeJSON(w, body)
}

// The failures below are Snowflake's own numbers and texts for each class
// of error synctrack tells apart (warehouse/snowflake/errors.go), so a test
// states the situation, not the wire format.

// LockTimeout is a statement that waited too long for a lock: transient.
func LockTimeout(match string, times int) Rule {
	return Rule{Match: match, Times: times, Code: "000625", SQLState: "57014",
		Message: "Statement reached its statement or warehouse timeout of 0 second(s) and was canceled (lock wait)."}
}

// Unavailable is an HTTP 503 from the service, after the driver's own
// retries (set maxRetryCount low in the DSN to keep the test fast): transient.
func Unavailable(match string, times int) Rule {
	return Rule{Match: match, Times: times, Status: http.StatusServiceUnavailable}
}

// QuotaExceeded is a warehouse a resource monitor suspended: resource.
func QuotaExceeded(match string, times int) Rule {
	return Rule{Match: match, Times: times, Code: "090073", SQLState: "22000",
		Message: "Warehouse 'LOAD_WH' cannot be resumed because resource monitor 'LOAD_RM' has exceeded its quota."}
}

// BadLogin is a login Snowflake refuses: config.
func BadLogin(times int) Rule {
	return Rule{Login: true, Times: times, Code: "390100", SQLState: "08004",
		Message: "Incorrect username or password was specified."}
}

// NoPrivilege is a statement the role may not run: config.
func NoPrivilege(match string, times int) Rule {
	return Rule{Match: match, Times: times, Code: "003001", SQLState: "42501",
		Message: "SQL access control error:\nInsufficient privileges to operate on table 'SYNC_RECORDS'"}
}

// Missing is a statement naming an object that is not there (or not
// visible to the role): config.
func Missing(match, object string, times int) Rule {
	return Rule{Match: match, Times: times, Code: "002003", SQLState: "42S02",
		Message: "SQL compilation error:\nObject '" + object + "' does not exist or not authorized."}
}

// ParquetError is a statement that read a file that is not parquet, with
// ON_ERROR = ABORT_STATEMENT: data. (Unreadable makes COPY with SKIP_FILE
// report the file instead.)
func ParquetError(match string, times int) Rule {
	return Rule{Match: match, Times: times, Code: "100069", SQLState: "22000",
		Message: "Error parsing the parquet file: Invalid: Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file."}
}

type commitRule struct {
	match string
	times int
}

// CommitDuring makes a statement containing match, times times (-1:
// always), commit the open transaction and leave it, as Snowflake does
// before any DDL. A test uses it to ask what synctrack does if a COPY that
// evolves the table's schema did so, which the documentation does not say.
func (f *Server) CommitDuring(match string, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commits = append(f.commits, &commitRule{match, times})
}
