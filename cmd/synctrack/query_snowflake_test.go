package main

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// synctrack query on Snowflake, at the wire: the real driver sends the
// statement describe-only first (Snowflake compiles it and runs nothing),
// then runs it only when the answer's statement type is SELECT, each
// request allowing one statement. A write is described and never run.
func TestQuerySnowflake(t *testing.T) {
	f, wh := sfWarehouse(t)
	const q = "SELECT outcome, count(*) AS n FROM synctrack.sync_log GROUP BY 1"
	f.Answer("synctrack.sync_log", []sffake.Column{{Name: "OUTCOME", Type: "text"}, {Name: "N", Type: "fixed"}},
		[][]any{{"rejected", "3"}, {"success", "7"}})
	code, out, stderr := runCLIAll(t, "query", "--warehouse", wh, "--format", "csv", q)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 3 || recs[2][1] != "7" {
		t.Fatalf("query: exit %d, %v:\n%s%s", code, err, out, stderr)
	}
	if got := f.Described(); len(got) != 1 || got[0] != q {
		t.Errorf("described %q, want the statement once", got)
	}
	if got := f.Statements(); len(got) != 2 || got[0] != q || got[1] != q {
		t.Errorf("sent %q, want the statement described, then run", got)
	}
	for i, p := range f.Parameters() {
		if fmt.Sprint(p["MULTI_STATEMENT_COUNT"]) != "1" {
			t.Errorf("request %d allows %v statements, want 1", i, p["MULTI_STATEMENT_COUNT"])
		}
	}

	for _, w := range []struct{ sql, says string }{
		{`INSERT INTO "SYNCTRACK"."LOAD_LEDGER" (key) VALUES ('x')`, "0x3100 (DML)"},
		{`UPDATE "SYNCTRACK"."LOAD_LEDGER" SET status = 'failed'`, "0x3200 (DML)"},
		{`CREATE TABLE "SYNCTRACK"."MINE" (a INT)`, "0x6100 (DDL)"},
		{`DROP TABLE "SYNCTRACK"."SYNC_RECORDS"`, "0x6100 (DDL)"},
	} {
		f.Reset()
		code, stdout, stderr := runCLIAll(t, "query", "--warehouse", wh, w.sql)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "not a read-only query") || !strings.Contains(stderr, w.says) {
			t.Errorf("%s: exit %d, want 2 naming %s: %s%s", w.sql, code, w.says, stdout, stderr)
		}
		if got := f.Statements(); len(got) != 1 || len(f.Described()) != 1 {
			t.Errorf("%s: sent %q; want it described only, never run", w.sql, got)
		}
	}

	// A transaction statement is refused before Snowflake is asked.
	f.Reset()
	if code, _, stderr := runCLIAll(t, "query", "--warehouse", wh, "BEGIN"); code != 2 || len(f.Statements()) != 0 || !strings.Contains(stderr, "not a query") {
		t.Errorf("BEGIN: exit %d, sent %q: %s", code, f.Statements(), stderr)
	}

	// Snowflake's compile error is the SQL's fault: exit 2, nothing run.
	f.Reset()
	if code, _, stderr := runCLIAll(t, "query", "--warehouse", wh, "SELEC 1"); code != 2 || len(f.Statements()) != 1 {
		t.Errorf("a statement Snowflake cannot compile: exit %d, sent %q: %s", code, f.Statements(), stderr)
	}
}
