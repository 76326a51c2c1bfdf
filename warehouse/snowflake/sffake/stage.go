package sffake

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"
)

// The fake's stage and what it loaded from it. Without a stage (Stage), COPY
// loads 10 rows a file and no file fails, as before.
//
// With one, COPY reads each file it names from the bucket, as Snowflake reads
// its external stage: a file loads its parquet row count, and a file that is
// not parquet fails as Snowflake fails it: the whole statement under
// ON_ERROR = ABORT_STATEMENT, that file alone (LOAD_FAILED) under SKIP_FILE.
// The fake also keeps, per table and _file, the rows COPY added and DELETE
// ... WHERE "_FILE" IN (...) removed, so a test can ask what a table holds
// per file (FileRows) without the fake running SQL.

type stageRows map[string]int64 // table + "\x00" + key -> rows

func (r stageRows) clone() stageRows {
	c := make(stageRows, len(r))
	for k, v := range r {
		c[k] = v
	}
	return c
}

// Stage makes COPY read files from b (see above).
func (f *Server) Stage(b *blob.Bucket) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stage = b
}

// FileRows returns the committed rows of table (SYNC_RECORDS, say) per
// _file: what COPY loaded from each file, less what DELETE removed.
func (f *Server) FileRows(table string) map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int64{}
	for k, n := range f.committed.rows {
		if t, key, _ := strings.Cut(k, "\x00"); t == table && n != 0 {
			out[key] = n
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

// staged reads one file of the stage: its rows, or why COPY cannot read it.
// f.mu is held.
func (f *Server) staged(key string) (int64, error) {
	if f.stage == nil {
		return 10, nil
	}
	data, err := f.stage.ReadAll(context.Background(), key)
	if err != nil { // no test removes a file mid-load: a fault of the test
		f.t.Errorf("sffake: read %s from the stage: %v", key, err)
		return 0, err
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, fmt.Errorf("Error parsing the parquet file: Invalid: %v\n  File '%s'\n  Row 0 starts at line 0, column", err, key)
	}
	return pf.NumRows(), nil
}

var (
	copyTableRe   = regexp.MustCompile(`^COPY INTO "[^"]+"\."([^"]+)"`)
	deleteFilesRe = regexp.MustCompile(`^DELETE FROM "[^"]+"\."([^"]+)" WHERE "_FILE" IN \(`)
)

// copied notes n rows COPY loaded from key into the table of statement q.
func (st *fakeState) copiedRows(q, key string, n int64) {
	if m := copyTableRe.FindStringSubmatch(q); m != nil {
		st.rows[m[1]+"\x00"+key] += n
	}
}

// deleteFiles forgets the rows of the files a DELETE by _file names.
func (st *fakeState) deleteFiles(q string) {
	m := deleteFilesRe.FindStringSubmatch(q)
	if m == nil {
		return
	}
	list := q[len(m[0])-1:]
	for _, k := range parseTuple(list[1:tupleEnd(list)]) {
		delete(st.rows, m[1]+"\x00"+deref(k))
	}
}

// copyFailed is Snowflake's answer to a COPY that cannot read key: an error
// for the statement, or, under SKIP_FILE, the file's LOAD_FAILED row (ok).
func copyFailed(q, key string, err error) (row []any, fail map[string]any) {
	if !strings.Contains(q, "ON_ERROR = SKIP_FILE") {
		return nil, sqlError("100069", "22000", err.Error())
	}
	return []any{"s3://acme-sync-logs/" + key, "LOAD_FAILED", "0", "0", "1", "1", err.Error(), "1", "1", nil}, nil
}
