package sffake

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// What the tables hold, per _file: the rows each COPY loaded from a file
// (stage.go says how many), less those DELETE ... WHERE "_FILE" IN (...)
// removed. It is the fake's one count of loaded rows, so the conformance
// suite (FileRows) and the package's own tests read the same numbers, and it
// is kept in fakeState, so a rolled-back batch leaves none behind. The fake
// keeps counts, not the rows: SQL that reads or rewrites sync_records is not
// run, so a count is right for tables only COPY and DELETE by _file change
// (sync_records), not for fact tables rebuilt by SWAP.

type fileRows map[string]map[string]int64 // table -> _file -> rows

func (r fileRows) clone() fileRows {
	c := make(fileRows, len(r))
	for t, files := range r {
		c[t] = make(map[string]int64, len(files))
		for k, n := range files {
			c[t][k] = n
		}
	}
	return c
}

func (r fileRows) add(table, key string, n int64) {
	if r[table] == nil {
		r[table] = map[string]int64{}
	}
	r[table][key] += n
}

// FileRows returns the committed rows of table (SYNC_RECORDS, say) per
// _file; a file with no rows is absent.
func (f *Server) FileRows(table string) map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int64{}
	for k, n := range f.committed.files[table] {
		if n != 0 {
			out[k] = n
		}
	}
	return out
}

// Views returns the names of the views created and committed, sorted.
func (f *Server) Views() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for name, isView := range f.committed.views {
		if isView {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

var (
	copyTableRe   = regexp.MustCompile(`^COPY INTO "[^"]+"\."([^"]+)"`)
	deleteFilesRe = regexp.MustCompile(`^DELETE FROM "[^"]+"\."([^"]+)" WHERE "_FILE" IN \(`)
	copyColumns   = []column{{"file", "text"}, {"status", "text"}, {"rows_parsed", "fixed"}, {"rows_loaded", "fixed"},
		{"error_limit", "fixed"}, {"errors_seen", "fixed"}, {"first_error", "text"}, {"first_error_line", "fixed"},
		{"first_error_character", "fixed"}, {"first_error_column_name", "text"}}
)

// copyInto loads the listed files into the statement's table: each its rows
// (file), none for a file COPY's load history holds unless FORCE. An
// unreadable file fails the whole statement, before it loads anything, or
// under ON_ERROR = SKIP_FILE is reported LOAD_FAILED while the rest load.
// It is checked before load history: the fake's history is by key, and a
// file that cannot be read stands for a version Snowflake has not loaded
// (Snowflake's load metadata tells versions apart by checksum). Load history
// counts only loaded files, so a skipped one is tried again by the next COPY.
func (f *Server) copyInto(st *fakeState, q string) map[string]any {
	start := strings.Index(q, "FILES = (")
	end := strings.Index(q, ")\nFILE_FORMAT")
	m := copyTableRe.FindStringSubmatch(q)
	if start < 0 || end < 0 || m == nil {
		return sqlError("001003", "42000", "SQL compilation error: no table or FILES")
	}
	keys := parseTuple(q[start+len("FILES = (") : end])
	if strings.Contains(q, "\nVALIDATION_MODE = RETURN_ERRORS") {
		return f.validate(st, q, m[1], keys)
	}
	force := strings.Contains(q, "\nFORCE = TRUE")
	skip := strings.Contains(q, "\nON_ERROR = SKIP_FILE")
	strict := strings.Contains(q, "REPLACE_INVALID_CHARACTERS = FALSE")
	files := make([]found, len(keys)) // each file read once
	for i, k := range keys {
		if files[i] = f.file(deref(k), strict); files[i].bad && !skip {
			return sqlError("100069", "22000", files[i].why)
		}
	}
	var rows [][]any
	for i, k := range keys {
		key, fl := deref(k), files[i]
		url := "s3://acme-sync-logs/" + key
		if fl.bad {
			rows = append(rows, []any{url, "LOAD_FAILED", "0", "0", "1", "1", fl.why, "0", "0", nil})
			continue
		}
		if st.history[key] && !force {
			continue
		}
		st.history[key] = true
		st.copied[key]++
		st.files.add(m[1], key, fl.rows)
		rows = append(rows, []any{url, "LOADED", fmt.Sprint(fl.rows), fmt.Sprint(fl.rows), "1", "0", nil, nil, nil, nil})
	}
	if len(rows) == 0 {
		return result(0x3600, statusOnly, [][]any{{"Copy executed with 0 files processed."}})
	}
	return result(0x3600, copyColumns, rows)
}

// deleteFiles runs a DELETE: by _file on any table, it removes those files'
// rows and says how many. Another DELETE from sync_records would change rows
// the fake does not keep, so it fails loudly rather than leave the counts
// wrong; other tables' DELETEs delete nothing the fake knows of.
func (f *Server) deleteFiles(st *fakeState, q string) map[string]any {
	m := deleteFilesRe.FindStringSubmatch(q)
	if m == nil {
		if strings.Contains(firstLine(q), `"SYNC_RECORDS"`) {
			return sqlError("001003", "42000", "SQL compilation error: fake Snowflake deletes records by _FILE only")
		}
		return result(0x3300, []column{{"number of rows deleted", "fixed"}}, [][]any{{"0"}})
	}
	list := q[len(m[0])-1:]
	var n int64
	for _, k := range parseTuple(list[1:tupleEnd(list)]) {
		n += st.files[m[1]][deref(k)]
		delete(st.files[m[1]], deref(k))
	}
	return result(0x3300, []column{{"number of rows deleted", "fixed"}}, [][]any{{fmt.Sprint(n)}})
}

// validate answers COPY ... VALIDATION_MODE = RETURN_ERRORS: no row is
// loaded and no load history kept; one row per unreadable file, its FILE
// named from the stage as the documentation's example shows
// (@STAGE/path). The check table must exist, as on Snowflake.
func (f *Server) validate(st *fakeState, q, table string, keys []*string) map[string]any {
	if !st.tables[table] {
		into := strings.TrimPrefix(firstLine(q), "COPY INTO ")
		return sqlError("002003", "42S02", "SQL compilation error:\nTable "+into+" does not exist or not authorized.")
	}
	cols := []column{{"ERROR", "text"}, {"FILE", "text"}, {"LINE", "fixed"}, {"CHARACTER", "fixed"}, {"BYTE_OFFSET", "fixed"},
		{"CATEGORY", "text"}, {"CODE", "fixed"}, {"SQL_STATE", "text"}, {"COLUMN_NAME", "text"}, {"ROW_NUMBER", "fixed"}, {"ROW_START_LINE", "fixed"}}
	var rows [][]any
	for _, k := range keys {
		if fl := f.file(deref(k), false); fl.bad {
			rows = append(rows, []any{fl.why, "@SYNCTRACK_STAGE/" + deref(k), "0", "0", "0", "parsing", "100069", "22000", nil, "0", "0"})
		}
	}
	return result(0x3600, cols, rows)
}
