package sffake

import (
	"fmt"
	"strings"
)

// Unreadable makes key a file Snowflake cannot read as parquet, for why
// (COPY's first_error): a COPY with ON_ERROR = ABORT_STATEMENT fails as a
// whole with error 100069, one with SKIP_FILE reports the file LOAD_FAILED
// and loads the rest, as the documentation of COPY INTO <table> describes.
func (f *Server) Unreadable(key, why string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unreadable[key] = why
}

// Readable undoes Unreadable.
func (f *Server) Readable(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.unreadable, key)
}

// Rows sets how many rows a COPY of key loads (10 unless set), so a test can
// tell one version of an object from the next by its row count.
func (f *Server) Rows(key string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sizes[key] = n
}

// Records returns the committed sync_records rows per _file.
func (f *Server) Records() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.committed.records))
	for k, v := range f.committed.records {
		out[k] = v
	}
	return out
}

var copyColumns = []column{{"file", "text"}, {"status", "text"}, {"rows_parsed", "fixed"}, {"rows_loaded", "fixed"},
	{"error_limit", "fixed"}, {"errors_seen", "fixed"}, {"first_error", "text"}, {"first_error_line", "fixed"},
	{"first_error_character", "fixed"}, {"first_error_column_name", "text"}}

// copyInto loads the listed files into sync_records (other tables keep no
// rows here): Rows rows each, none for a file COPY's load history holds
// unless FORCE. An unreadable file fails the statement or is skipped, by
// ON_ERROR. Load history counts only loaded files, so a skipped one is
// tried again by the next COPY.
func (f *Server) copyInto(st *fakeState, q string) map[string]any {
	start := strings.Index(q, "FILES = (")
	end := strings.Index(q, ")\nFILE_FORMAT")
	if start < 0 || end < 0 {
		return sqlError("001003", "42000", "SQL compilation error: no FILES")
	}
	if strings.Contains(q, "\nVALIDATION_MODE = RETURN_ERRORS") {
		return f.validate(st, parseTuple(q[start+len("FILES = ("):end]), q)
	}
	force := strings.Contains(q, "\nFORCE = TRUE")
	skip := strings.Contains(q, "\nON_ERROR = SKIP_FILE")
	records := strings.HasPrefix(q, `COPY INTO "SYNCTRACK"."SYNC_RECORDS"`)
	keys := parseTuple(q[start+len("FILES = (") : end])
	if !skip {
		for _, k := range keys {
			if why, bad := f.unreadable[deref(k)]; bad {
				return sqlError("100069", "22000", why)
			}
		}
	}
	var rows [][]any
	for _, k := range keys {
		key := deref(k)
		url := "s3://acme-sync-logs/" + key
		if why, bad := f.unreadable[key]; bad {
			rows = append(rows, []any{url, "LOAD_FAILED", "0", "0", "1", "1", why, "0", "0", nil})
			continue
		}
		if st.history[key] && !force {
			continue
		}
		n := 10
		if v, ok := f.sizes[key]; ok {
			n = v
		}
		st.history[key] = true
		st.copied[key]++
		if records {
			st.records[key] += n
		}
		rows = append(rows, []any{url, "LOADED", fmt.Sprint(n), fmt.Sprint(n), "1", "0", nil, nil, nil, nil})
	}
	if len(rows) == 0 {
		return result(0x3600, statusOnly, [][]any{{"Copy executed with 0 files processed."}})
	}
	return result(0x3600, copyColumns, rows)
}

// deleteRecords runs DELETE FROM sync_records WHERE "_FILE" IN (...).
func (f *Server) deleteRecords(st *fakeState, q string) map[string]any {
	i := strings.Index(q, `"_FILE" IN (`)
	if i < 0 {
		return sqlError("001003", "42000", "SQL compilation error: fake Snowflake deletes records by _FILE only")
	}
	n := 0
	for _, k := range parseTuple(strings.TrimSuffix(q[i+len(`"_FILE" IN (`):], ")")) {
		n += st.records[deref(k)]
		delete(st.records, deref(k))
	}
	return result(0x3300, []column{{"number of rows deleted", "fixed"}}, [][]any{{fmt.Sprint(n)}})
}

// validate answers COPY ... VALIDATION_MODE = RETURN_ERRORS: no row is
// loaded and no load history kept; one row per unreadable file, its FILE
// named from the stage as the documentation's example shows
// (@STAGE/path). The check table must exist, as on Snowflake.
func (f *Server) validate(st *fakeState, keys []*string, q string) map[string]any {
	into := strings.TrimPrefix(firstLine(q), "COPY INTO ")
	table := into[strings.LastIndex(into, ".")+1:]
	if !st.tables[strings.Trim(table, `"`)] {
		return sqlError("002003", "42S02", "SQL compilation error:\nTable "+into+" does not exist or not authorized.")
	}
	cols := []column{{"ERROR", "text"}, {"FILE", "text"}, {"LINE", "fixed"}, {"CHARACTER", "fixed"}, {"BYTE_OFFSET", "fixed"},
		{"CATEGORY", "text"}, {"CODE", "fixed"}, {"SQL_STATE", "text"}, {"COLUMN_NAME", "text"}, {"ROW_NUMBER", "fixed"}, {"ROW_START_LINE", "fixed"}}
	var rows [][]any
	for _, k := range keys {
		if why, bad := f.unreadable[deref(k)]; bad {
			rows = append(rows, []any{why, "@SYNCTRACK_STAGE/" + deref(k), "0", "0", "0", "parsing", "100069", "22000", nil, "0", "0"})
		}
	}
	return result(0x3600, cols, rows)
}
