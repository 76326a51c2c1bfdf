package dialects

import (
	"strings"
	"time"
)

// FileTables are the tables besides sync_records whose rows belong to one
// records file (keyed by _file): when retention expires a file, its rows go
// from each of them in the same transaction. A table counted per file at
// load time joins this list, and retention deletes from it on every engine.
var FileTables = []string{OutcomeCountsTable, FingerprintCountsTable}

// ExpireSQL is one retention pass at cutoff, as statements for one
// transaction, to run in the order of its fields: the files and the ledger
// are judged before the rows they are judged by go. Expiring is the files that go whole: rows before
// the cutoff and none from it on (a file whose rows straddle the cutoff
// keeps its newer rows and stays loaded). Both conditions filter on
// batch_started_at, the column BigQuery partitions sync_records by, so each
// reads only the partitions on its side of the cutoff.
type ExpireSQL struct {
	Expiring string   // SELECT _file of the files that expire
	Files    []string // DELETE their rows from each of FileTables
	Ledger   string   // UPDATE their loaded ledger rows to expired, with note
	Rows     string   // DELETE the sync_records rows before the cutoff
}

// Expire renders a retention pass for dialect d. The cutoff and note are
// literals from the dialect's own quoting; nothing in them comes from a
// bucket.
func Expire(d Dialect, schema string, cutoff time.Time, note string) ExpireSQL {
	rec, file, at := d.Table(schema, "sync_records"), d.Ident("_file"), d.Ident("batch_started_at")
	c := "CAST(" + d.String(cutoff.UTC().Format(time.RFC3339)) + " AS " + d.TimestampType() + ")"
	// NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over a subquery too
	// large for work_mem row by row, and every engine plans this as an anti-join.
	expiring := "SELECT o." + file + " FROM " + rec + " o WHERE o." + at + " < " + c + " AND NOT EXISTS (SELECT 1 FROM " +
		rec + " n WHERE n." + file + " = o." + file + " AND n." + at + " >= " + c + ")"
	s := ExpireSQL{Expiring: expiring}
	for _, t := range FileTables {
		s.Files = append(s.Files, "DELETE FROM "+d.Table(schema, t)+" WHERE "+file+" IN ("+expiring+")")
	}
	s.Ledger = ExpireLedger(d, schema, note, d.Ident("key")+" IN ("+expiring+")")
	s.Rows = "DELETE FROM " + rec + " WHERE " + at + " < " + c
	return s
}

// ExpireLedger is the UPDATE that marks loaded records files expired, with
// note; which is the condition on key naming them: a subquery (Expire), a
// temporary table (BigQuery's script) or a list of literals (Snowflake,
// which reads the expiring files first).
func ExpireLedger(d Dialect, schema, note, which string) string {
	return "UPDATE " + d.Table(schema, "load_ledger") + " SET " + d.Ident("status") + " = " + d.String("expired") +
		", " + d.Ident("error") + " = " + d.String(note) + " WHERE " + d.Ident("kind") + " = " + d.String("records") +
		" AND " + d.Ident("status") + " = " + d.String("loaded") + " AND " + which
}

// ExpireScript is a BigQuery retention pass as one script: the expiring
// files are found once, into a temporary table, then the pass runs in one
// transaction, and the script ends by counting the ledger rows it expired.
func (d BigQuery) ExpireScript(dataset string, s ExpireSQL, note string) string {
	q := d.Ident
	stmts := []string{"CREATE TEMP TABLE _st_expiring AS SELECT DISTINCT " + q("_file") + " FROM (" + s.Expiring + ")",
		"CREATE TEMP TABLE _st_expired AS SELECT " + q("key") + " FROM " + d.Table(dataset, "load_ledger") + " WHERE " +
			q("kind") + " = 'records' AND " + q("status") + " = 'loaded' AND " + q("key") + " IN (SELECT " + q("_file") + " FROM _st_expiring)"}
	var tx []string
	for _, t := range FileTables {
		tx = append(tx, "DELETE FROM "+d.Table(dataset, t)+" WHERE "+q("_file")+" IN (SELECT "+q("_file")+" FROM _st_expiring)")
	}
	tx = append(tx, ExpireLedger(d, dataset, note, q("key")+" IN (SELECT "+q("key")+" FROM _st_expired)"), s.Rows)
	return strings.Join(stmts, ";\n") + ";\n" + d.Transaction(tx...) + "\nSELECT COUNT(*) FROM _st_expired;"
}
