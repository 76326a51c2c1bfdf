package dialects

import (
	"strings"
)

// FilesType is the type of the files array (BQBatch.Files) of the records and facts
// statements: one element per file of the batch. n numbers the files from 0
// (a staging table's suffix), uri is the URI BigQuery names the file by
// (_FILE_NAME of an external table; NULL for an empty object, which BigQuery
// is never asked to read, and where BigQuery does not read the bucket), the
// rest is what the loader read from the key.
const FilesType = "ARRAY<STRUCT<n INT64, uri STRING, key STRING, org_id STRING, sync_id STRING, " +
	"run_id STRING, batch_type STRING, batch_number INT64, mtime TIMESTAMP>>"

// BQSource is a set of files that share one schema, read by one SELECT.
type BQSource struct {
	// From is the relation, rendered: an external table over the files, or a
	// wildcard over their staging tables.
	From string
	// Join matches a row of From to its element b of the files array.
	Join string
	// Columns are the files' columns as written, with their BigQuery types.
	Columns []Column
}

// StagingSource reads the staging tables prefix0, prefix1, ... (one file each,
// numbered as in the files array) through one wildcard, so a batch of any size is one
// table reference per schema.
func (d BigQuery) StagingSource(dataset, prefix string, cols []Column) BQSource {
	return BQSource{From: d.Ident(dataset) + "." + d.Ident(prefix+"*"),
		Join: "b.n = SAFE_CAST(_TABLE_SUFFIX AS INT64)", Columns: cols}
}

// ExternalSource reads an external table over gs:// files; each row names its
// file in _FILE_NAME.
func (d BigQuery) ExternalSource(dataset, table string, cols []Column) BQSource {
	return BQSource{From: d.Table(dataset, table), Join: "b.uri = _FILE_NAME", Columns: cols}
}

// AddedColumn is a column found in records files that sync_records did not
// have: File is its name there, Column its name in sync_records.
type AddedColumn struct{ File, Column, Type string }

// ReplaceRecords renders the statements of one records batch, for Transaction:
// delete the rows and counts of the batch's files, insert their rows, then
// counts (rendered by the caller over BatchFiles), then the ledger.
func (d BigQuery) ReplaceRecords(dataset string, in BQBatch, srcs []BQSource, added []AddedColumn, counts []string) []string {
	recs := d.Table(dataset, "sync_records")
	stmts := d.DeleteCounts(dataset, in)
	stmts = append([]string{`DELETE FROM ` + recs + ` WHERE _file IN (SELECT b.key FROM UNNEST(` + in.Files + `) b)`}, stmts...)
	if len(srcs) > 0 {
		cols := Names(RecordsColumns)
		for _, a := range added {
			cols = append(cols, a.Column)
		}
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = d.Ident(c)
		}
		sels := make([]string, len(srcs))
		for i, s := range srcs {
			sels[i] = d.selectRecords(s, in, added)
		}
		stmts = append(stmts, "INSERT INTO "+recs+" ("+strings.Join(quoted, ", ")+")\n"+
			strings.Join(sels, "\nUNION ALL\n"))
		stmts = append(stmts, counts...)
	}
	return append(stmts, d.WriteLedger(dataset, in.Ledger)...)
}

// BatchFiles is the condition on the sync_records row aliased r that
// selects the rows of the batch's files.
func (d BigQuery) BatchFiles(in BQBatch) string {
	return "r._file IN (SELECT b.key FROM UNNEST(" + in.Files + ") b)"
}

// DeleteCounts renders the DELETEs of the batch's files' per-run counts.
func (d BigQuery) DeleteCounts(dataset string, in BQBatch) []string {
	var out []string
	for _, t := range CountsTables() {
		out = append(out, `DELETE FROM `+d.Table(dataset, t.Name)+` WHERE _file IN (SELECT b.key FROM UNNEST(`+in.Files+`) b)`)
	}
	return out
}

func (d BigQuery) selectRecords(s BQSource, in BQBatch, added []AddedColumn) string {
	typ := map[string]string{}
	name := map[string]string{}
	var extra []string
	for _, c := range s.Columns {
		lc := strings.ToLower(c.Name)
		if _, dup := typ[lc]; dup {
			continue
		}
		typ[lc], name[lc] = c.Type, c.Name
		if !knownRecordColumn[lc] {
			extra = append(extra, c.Name)
		}
	}
	ref := func(lc string) string { return "t." + d.Ident(name[lc]) }
	str := func(lc string) string {
		t, ok := typ[lc]
		switch {
		case !ok:
			return "CAST(NULL AS STRING)"
		case t == "STRING":
			return ref(lc)
		case t == "JSON":
			return "TO_JSON_STRING(" + ref(lc) + ")"
		case t == "BYTES":
			return "SAFE_CONVERT_BYTES_TO_STRING(" + ref(lc) + ")"
		}
		return "CAST(" + ref(lc) + " AS STRING)"
	}
	ts := func(lc string) string {
		switch typ[lc] {
		case "TIMESTAMP":
			return ref(lc)
		case "DATETIME": // a parquet timestamp without zone: its wall clock is UTC
			return "TIMESTAMP(" + ref(lc) + ", 'UTC')"
		case "STRING":
			return "SAFE_CAST(" + ref(lc) + " AS TIMESTAMP)"
		}
		return "CAST(NULL AS TIMESTAMP)"
	}
	orPath := func(lc, path string) string {
		if _, ok := typ[lc]; !ok {
			return path
		}
		return "COALESCE(" + str(lc) + ", " + path + ")"
	}
	payload := "CAST(NULL AS JSON)"
	switch typ["record_payload"] {
	case "":
	case "JSON":
		payload = ref("record_payload")
	default:
		payload = "COALESCE(SAFE.PARSE_JSON(" + str("record_payload") + "), TO_JSON(" + str("record_payload") + "))"
	}
	extraJSON := "CAST(NULL AS JSON)"
	if len(extra) > 0 {
		nulls := make([]string, len(extra))
		fields := make([]string, len(extra))
		for i, c := range extra {
			nulls[i] = "t." + d.Ident(c) + " IS NULL"
			fields[i] = "t." + d.Ident(c) + " AS " + d.Ident(c)
		}
		extraJSON = "IF(" + strings.Join(nulls, " AND ") + ", NULL, TO_JSON(STRUCT(" + strings.Join(fields, ", ") + ")))"
	}
	sel := []string{
		str("identifier"), payload, str("operation"), str("status"), str("status_message"),
		ts("batch_started_at"), ts("batch_ended_at"),
		orPath("sync_configuration_id", "b.sync_id"), orPath("sync_run_id", "b.run_id"),
		orPath("org_id", "b.org_id"), "b.batch_type", "b.batch_number", "b.key",
		// No engine hands out a parquet row's position here: number the rows
		// of a file in an order fixed by their content, stable across reloads.
		"ROW_NUMBER() OVER (PARTITION BY b.key ORDER BY " + str("identifier") + ", " +
			ts("batch_started_at") + ", " + str("status") + ", " + str("record_payload") + ") - 1",
		extraJSON, in.LoadedAt,
	}
	for _, a := range added {
		src := strings.ToLower(a.File)
		if _, ok := typ[src]; !ok {
			sel = append(sel, "CAST(NULL AS "+a.Type+")")
		} else if typ[src] == a.Type {
			sel = append(sel, ref(src))
		} else {
			sel = append(sel, "SAFE_CAST("+ref(src)+" AS "+a.Type+")")
		}
	}
	return "SELECT\n  " + strings.Join(sel, ",\n  ") + "\nFROM " + s.From + " t\nJOIN UNNEST(" + in.Files + ") b ON " + s.Join
}

// knownRecordColumn are the vendor's documented columns; others are extra.
var knownRecordColumn = map[string]bool{
	"identifier": true, "record_payload": true, "operation": true, "status": true,
	"status_message": true, "batch_started_at": true, "batch_ended_at": true,
	"sync_configuration_id": true, "sync_run_id": true, "org_id": true,
}

// IsRecordColumn says whether a records file column is one of the vendor's
// documented ones (compared case-insensitively).
func IsRecordColumn(name string) bool { return knownRecordColumn[strings.ToLower(name)] }
