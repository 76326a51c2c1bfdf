package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// copied is what the COPYs of one batch did, per key.
type copied struct {
	rows   map[string]int64 // loaded files and their rows
	failed map[string]error // files COPY skipped as unreadable (SkipFiles)
	// partial lists failed files COPY kept some rows of: the transaction
	// must not commit them.
	partial []string
}

// add merges the outcome of other COPYs of the same batch (other keys).
func (c *copied) add(o copied) {
	maps.Copy(c.rows, o.rows)
	maps.Copy(c.failed, o.failed)
	c.partial = append(c.partial, o.partial...)
}

// copyAll copies fresh files, then forced ones, into table. A file COPY
// skipped as already loaded (its history outlives our rows: a table
// recreated, rows deleted by hand) is copied again with FORCE in the same
// transaction, so none is silently left out. With skip, unreadable files are
// skipped and reported (ON_ERROR = SKIP_FILE); without it the first one
// fails the COPY, as a data error naming it where Snowflake's result does.
// With strict, strings that are not UTF-8 make a file unreadable (see
// dialects.StrictFormat); without, they load as U+FFFD.
func (w *Warehouse) copyAll(ctx context.Context, tx querier, table string, meta [][2]string, fresh, forced []string, skip, strict bool) (copied, error) {
	c := copied{rows: map[string]int64{}, failed: map[string]error{}}
	for _, ch := range chunks(fresh) {
		if err := w.copyChunk(ctx, tx, dialects.Copy{Table: table, Keys: ch, Metadata: meta, SkipFiles: skip, StrictText: strict}, &c); err != nil {
			return c, err
		}
	}
	var again []string
	for _, k := range fresh {
		_, ok := c.rows[k]
		if _, bad := c.failed[k]; !ok && !bad {
			again = append(again, k)
		}
	}
	for _, ch := range chunks(append(again, forced...)) {
		if err := w.copyChunk(ctx, tx, dialects.Copy{Table: table, Keys: ch, Metadata: meta, SkipFiles: skip, StrictText: strict, Force: true}, &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// copyChunk runs one COPY INTO and reads its per-file result rows (COPY is
// not DML to the driver, so its rows come through Query, as from the
// service). Its columns, per the "Output" section of
// https://docs.snowflake.com/en/sql-reference/sql/copy-into-table: file,
// status ("loaded, load failed or partially loaded"), rows_parsed,
// rows_loaded, error_limit, errors_seen, first_error, first_error_line,
// first_error_character, first_error_column_name. A file COPY's load
// history skipped has no row; "Copy executed with 0 files processed." is
// the one row when no file has.
func (w *Warehouse) copyChunk(ctx context.Context, tx querier, cp dialects.Copy, c *copied) error {
	cp.Schema, cp.Stage = w.schema, w.c.Stage
	stmt := w.d.CopyInto(cp)
	w.log.Debug("statement", "sql", firstLine(stmt), "files", len(cp.Keys), "force", cp.Force)
	rows, err := tx.QueryContext(ctx, stmt)
	if err != nil {
		return w.classify(err, stmt)
	}
	res, err := readTable(rows)
	if err != nil {
		return w.classify(err, stmt)
	}
	byName := suffixIndex(cp.Keys)
	for _, r := range res {
		key, ok := byName(r["file"])
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(r["rows_loaded"], 10, 64)
		status := strings.ToUpper(r["status"])
		if status == "LOADED" {
			c.rows[key] += n
			continue
		}
		bad := warehouse.DataError(&Error{Statement: firstLine(stmt),
			msg: fmt.Sprintf("COPY did not load the file (%s, %s errors): %s", status, r["errors_seen"], r["first_error"])}, key)
		if first := strings.ToLower(r["first_error"]); strings.Contains(first, "utf8") || strings.Contains(first, "utf-8") {
			// "Invalid UTF8 detected in string ...": the loader counts the
			// file's bad values and copies it again, replacing them.
			e := bad.(*warehouse.Error)
			e.Reason, e.Hint = warehouse.ReasonBadText, hintBadText
		}
		if !cp.SkipFiles {
			return bad
		}
		c.failed[key] = bad
		if n > 0 {
			c.partial = append(c.partial, key)
		}
	}
	return nil
}

const hintBadText = "the file holds strings that are not UTF-8; synctrack copies it again with their bad bytes " +
	"replaced by U+FFFD (REPLACE_INVALID_CHARACTERS) and counts them in its ledger row: this stays only if that failed too"

// suffixIndex matches COPY's file column back to a key. The documentation
// calls it the "Name of source file and relative path to the file"; for an
// external stage Snowflake reports the object's full URL (s3://bucket/key,
// gcs://..., azure://account.blob.core.windows.net/container/key), and our
// stage's URL is the bucket root, so the key is a suffix of it that starts
// after a '/'. Both forms are matched.
func suffixIndex(keys []string) func(string) (string, bool) {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		set[k] = true
	}
	return func(file string) (string, bool) {
		if set[file] {
			return file, true
		}
		for i := 0; i < len(file); i++ {
			if file[i] == '/' && set[file[i+1:]] {
				return file[i+1:], true
			}
		}
		return "", false
	}
}

// readTable reads every row as column name (lower-case) -> text.
func readTable(rows *sql.Rows) ([]map[string]string, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			m[strings.ToLower(c)] = vals[i].String
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// chunks splits keys into runs of at most dialects.MaxCopyFiles.
func chunks(keys []string) [][]string {
	var out [][]string
	for start := 0; start < len(keys); start += dialects.MaxCopyFiles {
		out = append(out, keys[start:min(start+dialects.MaxCopyFiles, len(keys))])
	}
	return out
}
