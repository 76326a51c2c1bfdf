package sffake

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	statusOnly = []column{{"status", "text"}}
	ok         = [][]any{{"Statement executed successfully."}}
	dropRe     = regexp.MustCompile(`^DROP TABLE(?: IF EXISTS)? "[^"]+"\."([^"]+)"$`)
	createRe   = regexp.MustCompile(`^CREATE (?:OR REPLACE )?(?:EXTERNAL )?(?:TABLE|VIEW)(?: IF NOT EXISTS)? "[^"]+"\."([^"]+)"`)
)

// query answers one statement, then commits an open transaction if a
// CommitDuring rule says this statement does.
func (f *Server) query(q string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := f.answer(q)
	for _, c := range f.commits {
		if c.times != 0 && f.inTx && strings.Contains(q, c.match) && res["success"] == true {
			c.times--
			f.committed, f.inTx = f.pending, false
		}
	}
	return res
}

// answer answers one statement; f.mu is held. Past the scripted answers,
// its cases are one switch cut in three at its natural steps (control,
// bookkeeping, rowWrites), tried in the order they were written in: the
// first case that matches answers, as before the cut, so a case that must
// win over a wider one (a counts INSERT over any INSERT, SYNC_RUNS' over
// the rest) still comes first.
func (f *Server) answer(q string) map[string]any {
	st := f.committed
	if f.inTx {
		st = f.pending
	}
	if a, ok := f.scripted(q); ok {
		return result(a.typeID, a.cols, a.rows)
	}
	if res, ok := f.control(st, q); ok {
		return res
	}
	if res, ok := f.bookkeeping(st, q); ok {
		return res
	}
	if res, ok := f.rowWrites(st, q); ok {
		return res
	}
	return sqlError("001003", "42000", "SQL compilation error: fake Snowflake does not know: "+firstLine(q))
}

// control answers the statements that change which state the fake
// answers from (BEGIN, COMMIT, ROLLBACK; CURRENT_TRANSACTION() tells it)
// or which tables and views that state holds (the DDL): apart from the
// rest because they touch no row.
func (f *Server) control(st *fakeState, q string) (map[string]any, bool) {
	switch {
	case q == "SELECT CURRENT_TRANSACTION()":
		id := any(nil)
		if f.inTx {
			id = "1700000000000000001"
		}
		return result(0x1000, []column{{"CURRENT_TRANSACTION()", "text"}}, [][]any{{id}}), true
	case q == "BEGIN":
		f.inTx, f.pending = true, f.committed.clone()
		return result(0x5400, statusOnly, ok), true
	case q == "COMMIT":
		if f.inTx {
			f.committed = f.pending
		}
		f.inTx = false
		return result(0x5400, statusOnly, ok), true
	case q == "ROLLBACK":
		f.inTx = false
		return result(0x5400, statusOnly, ok), true
	case dropRe.MatchString(q):
		name := dropRe.FindStringSubmatch(q)[1]
		delete(st.tables, name)
		delete(st.views, name)
		delete(st.files, name)
		return result(0x6100, statusOnly, ok), true
	case strings.HasPrefix(q, "CREATE SCHEMA") || strings.HasPrefix(q, "CREATE STAGE") ||
		strings.HasPrefix(q, "ALTER TABLE") || strings.HasPrefix(q, "DROP TABLE"):
		return result(0x6100, statusOnly, ok), true
	case createRe.MatchString(q):
		name := createRe.FindStringSubmatch(q)[1]
		st.tables[name] = true
		st.views[name] = strings.Contains(q[:strings.Index(q, `"`)], " VIEW ")
		return result(0x6100, statusOnly, ok), true
	}
	return nil, false
}

// bookkeeping answers the statements over synctrack's own tables: the
// per-run counts' check and INSERT, the ledger's reads, the daemon's
// lease, sync_runs' payload schemas and, for any other SELECT, an empty
// field map of the views; a COUNT(*) no test scripted is refused. Tried
// before rowWrites, whose wider INSERT case the counts INSERT must win over.
func (f *Server) bookkeeping(st *fakeState, q string) (map[string]any, bool) {
	switch {
	case strings.HasPrefix(q, "SELECT") && strings.Contains(q, `"RUN_OUTCOME_COUNTS"`) && strings.Contains(q, `"LOAD_LEDGER"`):
		return f.countsCheck(st), true
	case countsInsertRe.MatchString(q):
		return f.countsInsert(st, q, countsInsertRe.FindStringSubmatch(q)[1]), true
	case strings.HasPrefix(q, "SELECT") && strings.Contains(q, `"LOAD_LEDGER"`) && strings.Contains(q, "STARTSWITH("):
		if !st.tables["LOAD_LEDGER"] {
			return sqlError("002003", "42S02", "SQL compilation error:\nObject 'ANALYTICS.SYNCTRACK.LOAD_LEDGER' does not exist or not authorized."), true
		}
		var prefix string
		if n := len(f.bindings); n > 0 {
			prefix = fmt.Sprint(f.bindings[n-1]["1"].Value)
		}
		return scanRows(st, prefix), true
	case strings.HasPrefix(q, "SELECT") && strings.Contains(q, `"LOAD_LEDGER"`):
		if !st.tables["LOAD_LEDGER"] {
			return sqlError("002003", "42S02", "SQL compilation error:\nObject 'ANALYTICS.SYNCTRACK.LOAD_LEDGER' does not exist or not authorized."), true
		}
		return f.ledgerRows(st), true
	case strings.HasPrefix(q, "SELECT COUNT(*)"):
		// The fake keeps no rows to count here: a test that needs a count
		// scripts it (Answer), never a silent 0.
		f.t.Errorf("sffake: no answer scripted for %s", firstLine(q))
		return sqlError("001003", "42000", "SQL compilation error: fake Snowflake has no scripted answer for: "+firstLine(q)), true
	case strings.HasPrefix(q, "MERGE INTO") && strings.Contains(q, `"DAEMON_LEASE"`):
		// A free lease unless a test says otherwise (Affect).
		return result(0x3400, []column{{"number of rows inserted", "fixed"}, {"number of rows updated", "fixed"}}, [][]any{{"1", "0"}}), true
	case strings.HasPrefix(q, "SELECT") && strings.Contains(q, `"PAYLOAD_SCHEMA"::VARCHAR`):
		var rows [][]any
		for _, id := range sortedKeys(st.schemas) {
			if strings.Contains(q, "'"+id+"'") {
				for _, s := range st.schemas[id] {
					rows = append(rows, []any{id, s})
				}
			}
		}
		return result(0x1000, []column{{"SYNC_CONFIGURATION_ID", "text"}, {"PAYLOAD_SCHEMA", "text"}}, rows), true
	case strings.HasPrefix(q, "SELECT"):
		return result(0x1000, []column{{"SYNC_CONFIGURATION_ID", "text"}, {"VIEW_NAME", "text"},
			{"FIELD_NAME", "text"}, {"COLUMN_NAME", "text"}, {"COLUMN_TYPE", "text"}}, nil), true
	}
	return nil, false
}

// rowWrites answers the statements of a load that move rows: COPY, an
// external table's refresh, and the MERGE, INSERT, UPDATE and DELETE the
// fake models or acknowledges.
func (f *Server) rowWrites(st *fakeState, q string) (map[string]any, bool) {
	switch {
	case strings.HasPrefix(q, "COPY INTO"):
		return f.copyInto(st, q), true
	case strings.HasPrefix(q, "ALTER EXTERNAL TABLE"):
		return result(0x6100, []column{{"file", "text"}, {"status", "text"}, {"description", "text"}},
			[][]any{{"sync_tracking_datasets/x.parquet", "REGISTERED_NEW", "File registered successfully."}}), true
	case strings.HasPrefix(q, "MERGE INTO") && modeled(q):
		n, err := st.write(q)
		if err != nil {
			f.t.Errorf("sffake: %v:\n%s", err, q)
			return sqlError("001003", "42000", "SQL compilation error: "+err.Error()), true
		}
		return result(0x3400, []column{{"number of rows inserted", "fixed"}, {"number of rows updated", "fixed"}}, [][]any{{fmt.Sprint(n), "0"}}), true
	case strings.HasPrefix(q, "INSERT INTO") && strings.Contains(q, `"SYNC_RUNS"`):
		rows := parseValues(q)
		for _, r := range rows {
			st.schemas[deref(r[2])] = append(st.schemas[deref(r[2])], deref(r[10]))
		}
		return result(0x3100, []column{{"number of rows inserted", "fixed"}}, [][]any{{fmt.Sprint(len(rows))}}), true
	case strings.HasPrefix(q, "INSERT"):
		return result(0x3100, []column{{"number of rows inserted", "fixed"}}, [][]any{{"0"}}), true
	case strings.HasPrefix(q, "UPDATE"):
		n := 0
		if modeled(q) {
			var err error
			if n, err = st.write(q); err != nil {
				f.t.Errorf("sffake: %v:\n%s", err, q)
				return sqlError("001003", "42000", "SQL compilation error: "+err.Error()), true
			}
		}
		return result(0x3200, []column{{"number of rows updated", "fixed"}, {"number of multi-joined rows updated", "fixed"}}, [][]any{{fmt.Sprint(n), "0"}}), true
	case strings.HasPrefix(q, "DELETE"):
		return f.deleteFiles(st, q), true
	}
	return nil, false
}
