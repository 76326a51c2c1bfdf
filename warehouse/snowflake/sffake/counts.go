package sffake

import (
	"regexp"
	"strconv"
	"strings"
)

// The per-run counts tables. The fake runs no SELECT over sync_records, so
// it cannot count outcomes; it keeps, per counts table and _file, the rows of
// SYNC_RECORDS the INSERT counted (in fakeState, so a rolled-back batch
// leaves none): a test sees which files' counts a load wrote, in which
// transaction, and which a changed file's DELETE removed.

var countsInsertRe = regexp.MustCompile(`^INSERT INTO "[^"]+"\."(RUN_OUTCOME_COUNTS|RUN_FINGERPRINT_COUNTS)"`)

// countsFilter is the file condition of a counts INSERT: r."_FILE" IN (...).
const countsFilter = `r."_FILE" IN (`

// countsInsert runs a counts INSERT ... SELECT: the files it names, or for a
// backfill (IN (SELECT ... FROM load_ledger)) every file the ledger has
// loaded, get their SYNC_RECORDS rows.
func (f *Server) countsInsert(st *fakeState, q, table string) map[string]any {
	i := strings.Index(q, countsFilter)
	if i < 0 {
		return sqlError("001003", "42000", "SQL compilation error: fake Snowflake counts by _FILE only")
	}
	list := q[i+len(countsFilter)-1:]
	var keys []string
	if strings.HasPrefix(list, "(SELECT") {
		keys = f.loadedRecords(st)
	} else {
		for _, k := range parseTuple(list[1:tupleEnd(list)]) {
			keys = append(keys, deref(k))
		}
	}
	n := 0
	for _, k := range keys {
		if rows := st.files["SYNC_RECORDS"][k]; rows > 0 {
			st.files.add(table, k, rows)
			n++
		}
	}
	return result(0x3100, []column{{"number of rows inserted", "fixed"}}, [][]any{{strconv.Itoa(n)}})
}

// countsCheck answers the backfill check: a loaded records key of the
// ledger while RUN_OUTCOME_COUNTS holds no file, or nothing.
func (f *Server) countsCheck(st *fakeState) map[string]any {
	var rows [][]any
	if len(st.files["RUN_OUTCOME_COUNTS"]) == 0 {
		if keys := f.loadedRecords(st); len(keys) > 0 {
			rows = [][]any{{keys[0]}}
		}
	}
	return result(0x1000, []column{{"KEY", "text"}}, rows)
}

// loadedRecords are the ledger's loaded records keys with rows.
func (f *Server) loadedRecords(st *fakeState) []string {
	var out []string
	for _, r := range st.rows["LOAD_LEDGER"] {
		if text(r["STATUS"]) == "loaded" && text(r["KIND"]) == "records" && r["ROWS"] != nil && text(r["ROWS"]) != "0" {
			out = append(out, text(r["KEY"]))
		}
	}
	return out
}

// DropTable drops a committed table and what it holds, as a schema made
// by an older synctrack would lack it.
func (f *Server) DropTable(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.committed.tables, name)
	delete(f.committed.files, name)
}
