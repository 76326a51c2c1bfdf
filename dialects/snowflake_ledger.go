package dialects

import (
	"strconv"
	"strings"
)

// LedgerSelect reads every ledger row; times come back as epoch microseconds,
// which every driver result format carries the same way.
func (d Snowflake) LedgerSelect(schema string) string {
	sel := make([]string, 0, len(LedgerColumns))
	for _, c := range LedgerColumns {
		id := d.Ident(c.Name)
		switch c.Type {
		case "TIMESTAMPTZ":
			id = "DATE_PART(EPOCH_MICROSECOND, " + id + ")"
		case "BIGINT", "INTEGER":
			id = "COALESCE(" + id + ", 0)"
		case "VARCHAR":
			if c.Name == "error" {
				id = "COALESCE(" + id + ", '')"
			}
		}
		sel = append(sel, id)
	}
	return "SELECT " + strings.Join(sel, ", ") + "\nFROM " + d.Table(schema, "load_ledger")
}

// LedgerScan reads the planning columns of the ledger rows whose key starts
// with the one bound parameter, ordered by the key's UTF-8 bytes (the
// 'utf8' collation: a listing's order, whatever collation the account
// gives new columns).
func (d Snowflake) LedgerScan(schema string) string {
	k := d.Ident("key")
	return "SELECT " + k + ", " + d.Ident("etag") + ", " + d.Ident("status") + ", COALESCE(" + d.Ident("attempts") + ", 0)\nFROM " +
		d.Table(schema, "load_ledger") + "\nWHERE STARTSWITH(" + k + ", ?)\nORDER BY COLLATE(" + k + ", 'utf8')"
}

// ledgerSource renders the new ledger rows (in LedgerColumns order, times as
// ISO text) as a subquery with our column names.
func (d Snowflake) ledgerSource(rows [][]any) string {
	sel := make([]string, len(LedgerColumns))
	for i, c := range LedgerColumns {
		col := "column" + strconv.Itoa(i+1)
		if c.Type == "TIMESTAMPTZ" {
			col = "TO_TIMESTAMP_TZ(" + col + ")"
		}
		sel[i] = col + " AS " + d.Ident(c.Name)
	}
	return "(SELECT " + strings.Join(sel, ", ") + "\nFROM " + d.Values(rows) + ")"
}

// LedgerWrite renders the two statements that record rows in load_ledger, one
// row per (key, etag): first a newer version marks the key's failed versions,
// and when it loaded its loaded versions too, as replaced; then each row is
// inserted, or updated keeping its first_seen_at (and, written as deleted,
// its size, rows and loaded_at: LedgerSet).
func (d Snowflake) LedgerWrite(schema string, rows [][]any) []string {
	l := d.Table(schema, "load_ledger")
	c := func(a, n string) string { return a + "." + d.Ident(n) }
	replaced := "UPDATE " + l + " l SET " + d.Ident("status") + " = 'replaced'\nFROM " + d.ledgerSource(rows) +
		" n\nWHERE " + c("l", "key") + " = " + c("n", "key") + " AND " + c("l", "etag") + " <> " + c("n", "etag") +
		"\n  AND (" + c("l", "status") + " IN ('failed', 'quarantined') OR (" + c("l", "status") + " = 'loaded' AND " + c("n", "status") + " = 'loaded'))"
	var set, cols, vals []string
	for _, col := range LedgerColumns {
		cols = append(cols, d.Ident(col.Name))
		vals = append(vals, c("n", col.Name))
		if col.Name != "key" && col.Name != "etag" && col.Name != "first_seen_at" {
			set = append(set, d.Ident(col.Name)+" = "+LedgerSet(d, col.Name, "n", "l"))
		}
	}
	merge := "MERGE INTO " + l + " l\nUSING " + d.ledgerSource(rows) + " n\nON " + c("l", "key") + " = " + c("n", "key") +
		" AND " + c("l", "etag") + " = " + c("n", "etag") +
		"\nWHEN MATCHED THEN UPDATE SET " + strings.Join(set, ", ") +
		"\nWHEN NOT MATCHED THEN INSERT (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")"
	return []string{replaced, merge}
}

// InsertRuns renders the INSERT of sync_runs rows (RunsColumns order; JSON as
// text, times as ISO text).
func (d Snowflake) InsertRuns(schema string, rows [][]any) string {
	sel := make([]string, len(RunsColumns))
	cols := make([]string, len(RunsColumns))
	for i, c := range RunsColumns {
		col := "column" + strconv.Itoa(i+1)
		switch c.Type {
		case "TIMESTAMPTZ":
			col = "TRY_TO_TIMESTAMP_TZ(" + col + ")"
		case "JSON":
			col = "TRY_PARSE_JSON(" + col + ")"
		}
		sel[i] = col
		cols[i] = d.Ident(c.Name)
	}
	return "INSERT INTO " + d.Table(schema, "sync_runs") + " (" + strings.Join(cols, ", ") + ")\nSELECT " +
		strings.Join(sel, ", ") + "\nFROM " + d.Values(rows)
}

// InsertPayloadColumns renders the INSERT of payload_columns rows.
func (d Snowflake) InsertPayloadColumns(schema string, rows [][]any) string {
	return "INSERT INTO " + d.Table(schema, "payload_columns") + " (" +
		strings.Join(d.idents(Names(PayloadColumnsColumns)), ", ") + ")\n" + d.Values(rows)
}

func (d Snowflake) idents(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = d.Ident(n)
	}
	return out
}
