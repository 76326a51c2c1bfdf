package sffake

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"
)

// What COPY finds in the files it names, decided in one place (file) so
// that a load the conformance suite runs over a real bucket and one a test
// scripts by hand go through the same COPY:
//
//   - With a stage (Stage), COPY reads each file from the bucket, as
//     Snowflake reads its external stage: a file loads its parquet row
//     count, and one that is not parquet cannot be read.
//   - Without one, a file loads the rows a test set (Rows), 10 unless set.
//   - Either way, a file Unreadable names cannot be read, for the reason
//     given: a test can break a file the bucket holds whole.
//
// What an unreadable file does to the statement, by ON_ERROR, is COPY's
// (copyInto).

// Stage makes COPY read files from b (see above).
func (f *Server) Stage(b *blob.Bucket) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stage = b
}

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
// tell one version of an object from the next by its row count. With a
// stage the file's own count wins, so a test must not set both.
func (f *Server) Rows(key string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sizes[key] = int64(n)
}

// found is what COPY finds in one file: its rows, or why it cannot read it.
type found struct {
	rows int64
	why  string
	bad  bool
}

// file reads key as COPY would (see above); f.mu is held. With strict
// (REPLACE_INVALID_CHARACTERS = FALSE) a string value that is not UTF-8
// makes a staged file unreadable, as the documentation says ("the load
// operation produces an error"); its wording is not documented: Snowflake's
// message for it names "Invalid UTF8", which is what synctrack matches.
func (f *Server) file(key string, strict bool) found {
	if why, bad := f.unreadable[key]; bad {
		return found{why: why, bad: true}
	}
	n, scripted := f.sizes[key]
	if f.stage == nil {
		if !scripted {
			n = 10
		}
		return found{rows: n}
	}
	if scripted { // a count the stage would silently override
		f.t.Errorf("sffake: Rows(%s) set, but COPY reads it from the stage", key)
	}
	data, err := f.stage.ReadAll(context.Background(), key)
	if err != nil { // no test removes a file mid-load: a fault of the test
		f.t.Errorf("sffake: read %s from the stage: %v", key, err)
		return found{why: err.Error(), bad: true}
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil { // the shape of Snowflake's message for a file that is not parquet
		return found{why: fmt.Sprintf("Error parsing the parquet file: Invalid: %v\n  File '%s'\n  Row 0 starts at line 0, column", err, key), bad: true}
	}
	if bad, col := badText(pf); strict && bad != "" {
		return found{why: fmt.Sprintf("Invalid UTF8 detected in string '%s'\n  File '%s', line 1, character 1\n  Row 1, column \"%s\"",
			bad, key, col), bad: true}
	}
	return found{rows: pf.NumRows()}
}

// badText finds the first byte-array value that is not UTF-8, in hex as
// Snowflake shows one, and its column.
func badText(pf *parquet.File) (string, string) {
	cols := pf.Schema().Columns()
	buf := make([]parquet.Row, 64)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				for _, v := range r {
					if v.Kind() == parquet.ByteArray && !v.IsNull() && !utf8.Valid(v.ByteArray()) {
						rows.Close()
						return fmt.Sprintf("0x%X", v.ByteArray()), strings.Join(cols[v.Column()], ".")
					}
				}
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return "", ""
}
