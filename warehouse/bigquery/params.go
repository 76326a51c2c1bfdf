package bigquery

import (
	"context"
	"fmt"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

func (w *Warehouse) uri(key string) string { return w.gsPrefix() + key }

// gsPrefix is what makes a key the URI BigQuery names its object by, for a
// gs:// bucket; "" for others (path b reads them through load jobs).
func (w *Warehouse) gsPrefix() string {
	if w.bucket == "" {
		return ""
	}
	return "gs://" + w.bucket + "/"
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// filesRows are the batch's files (dialects.FilesType); n is the index, and
// uri is prefix + key (BigQuery's _FILE_NAME of the object), NULL for an
// empty object, which BigQuery is never asked to read, or when prefix is "".
func (w *Warehouse) filesRows(objs []warehouse.Object, prefix string) [][]any {
	rows := make([][]any, len(objs))
	for i, o := range objs {
		var uri, num, mtime any
		if prefix != "" && o.Size > 0 {
			uri = prefix + o.Key
		}
		if o.BatchNumber != nil {
			num = *o.BatchNumber
		}
		if !o.ModTime.IsZero() {
			mtime = o.ModTime.UTC()
		}
		rows[i] = []any{i, uri, o.Key, orNil(o.OrgID), orNil(o.SyncID), orNil(o.RunID), orNil(o.BatchType), num, mtime}
	}
	return rows
}

// ledgerRows are ledger rows (dialects.LedgerType).
func (w *Warehouse) ledgerRows(es []warehouse.LedgerEntry) [][]any {
	rows := make([][]any, len(es))
	now := w.now().UTC()
	for i, e := range es {
		first := e.FirstSeenAt
		if first.IsZero() {
			first = now
		}
		var loaded any
		if e.LoadedAt != nil {
			loaded = e.LoadedAt.UTC()
		}
		rows[i] = []any{e.Key, e.ETag, e.Size, string(e.Kind), e.Status, e.Rows, orNil(e.Error),
			int64(e.Attempts), first.UTC(), loaded}
	}
	return rows
}

// arrays are a batch's rows: files (dialects.FilesType), ledger
// (dialects.LedgerType), runs (dialects.RunsType); nil ones are left out.
type arrays struct{ files, ledger, runs [][]any }

// stage writes the batch's arrays, as query parameters, into a table of
// their own with one query job whatever the file count
// (dialects.BigQuery.StageArrays), and returns the batch reading them and a
// func that drops the table (an API call, no job).
func (w *Warehouse) stage(ctx context.Context, in arrays) (dialects.BQBatch, func(), error) {
	b, a, name, err := w.prepare(in)
	if err != nil {
		return b, nil, err
	}
	params := make([]bigquery.QueryParameter, len(a.Params))
	for i, p := range a.Params {
		params[i] = bigquery.QueryParameter{Name: p.Name, Value: p.Value}
	}
	if err := w.query(ctx, w.d.StageArrays(w.c.Dataset, name, a), params...); err != nil {
		return b, nil, err
	}
	return b, func() { w.dropTables(context.WithoutCancel(ctx), []string{name}) }, nil
}

// prepare renders stage's parameters into a new table's name, and the batch
// reading them; a batch whose parameters would pass maxParams is refused
// before any job runs.
func (w *Warehouse) prepare(in arrays) (dialects.BQBatch, *dialects.BQArrays, string, error) {
	var a dialects.BQArrays
	var b dialects.BQBatch
	name := "_st_batch_" + cycleID()
	for _, x := range []struct {
		rows  [][]any
		col   string
		typ   string
		field *string
	}{{in.files, "files", dialects.FilesType, &b.Files}, {in.ledger, "ledger", dialects.LedgerType, &b.Ledger},
		{in.runs, "runs", dialects.RunsType, &b.Runs}} {
		if x.rows == nil {
			continue
		}
		w.d.AddArray(&a, x.col, x.typ, x.rows)
		*x.field = w.d.StagedArray(w.c.Dataset, name, &a, x.col)
	}
	if a.Bytes() > maxParams {
		return b, nil, "", fmt.Errorf("%w: about %d bytes of query parameters, most %d", errScriptTooLarge, a.Bytes(), maxParams)
	}
	return b, &a, name, nil
}
