package warehouse

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A person's statement gets none of the hints written for synctrack's own
// SQL or for loads; the warehouse being away keeps its class and hint.
func TestRefusedQuery(t *testing.T) {
	engine := errors.New("Parser Error: syntax error")
	sqlRule := []Rule{{Class: Config, Reason: "sql", Contains: []string{"parser error"}, Hint: "a bug: please report it"}}
	err := RefusedQuery("DuckDB", Classify(engine, sqlRule))
	if got := err.Error(); got != "DuckDB refused the query: Parser Error: syntax error" || ClassOf(err) != Config || !errors.Is(err, engine) {
		t.Errorf("an SQL error: %q, class %v", got, ClassOf(err))
	}
	data := &Error{Class: Data, Reason: "bad_object", Hint: "it is recorded as failed", Err: errors.New("corrupt")}
	if got := RefusedQuery("DuckDB", data).Error(); strings.Contains(got, "recorded") {
		t.Errorf("a data error: %q", got)
	}
	busy := &Error{Class: Transient, Reason: "locked", Hint: "try again when it lets go", Err: errors.New("lock")}
	if err := RefusedQuery("DuckDB", busy); err != busy {
		t.Errorf("a lock held: %v", err)
	}
	if err := RefusedQuery("DuckDB", nil); err != nil {
		t.Errorf("no error: %v", err)
	}
}

// NotLoading rewrites the hint of a wrapped error, in the message only.
func TestNotLoading(t *testing.T) {
	e := Classify(errors.New("connection refused"), OSRules)
	err := fmt.Errorf("open postgres warehouse: %w", e)
	got := NotLoading(err)
	if !strings.HasSuffix(got, "(the network or the service did not answer; try again)") || strings.Contains(got, "load") {
		t.Errorf("NotLoading: %q", got)
	}
	if !strings.Contains(err.Error(), "the next load tries again") {
		t.Errorf("the error itself changed: %q", err.Error())
	}
	plain := errors.New("no hint")
	if NotLoading(plain) != "no hint" {
		t.Error("an error without a hint changed")
	}
}
