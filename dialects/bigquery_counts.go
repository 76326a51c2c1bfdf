package dialects

import "strings"

// SchemaProbe renders the query whose dry run tells each file's columns
// (path a), so synctrack reads no byte of a file for them: each of tables is a
// temporary external definition over one parquet file, given without a
// schema, and the result has one column per table, an array of that table's
// rows as structs. The dry run's result schema then holds each file's
// top-level columns with the types BigQuery reads them as. Nothing is run:
// the LIMIT only keeps the arrays empty should it ever be.
func (d BigQuery) SchemaProbe(tables []string) string {
	sels := make([]string, len(tables))
	for i, t := range tables {
		sels[i] = "ARRAY(SELECT AS STRUCT * FROM " + d.Ident(t) + " LIMIT 0) AS " + d.Ident(t)
	}
	return "SELECT\n  " + strings.Join(sels, ",\n  ")
}

// CountRows renders what sets the `rows` of the batch's ledger rows to their
// files' row counts, counted by BigQuery over the external relations in from
// (each reads some of the batch's files; _FILE_NAME names a row's file), so
// synctrack reads no byte of a file for them. decl declares the batch's URIs
// and must follow Declare's statements; set fills them, then replaces the
// ledger array, before the transaction that writes it. The filter on
// _FILE_NAME lets BigQuery skip the other files of an external table over a
// whole prefix (external mode). A file no relation reads (an empty object)
// counts 0. in.Files and in.Ledger must be script variables (Declare).
func (d BigQuery) CountRows(in BQBatch, from []string) (decl string, set []string) {
	decl = "DECLARE _st_uris ARRAY<STRING>"
	rows := d.Ident("rows")
	if len(from) == 0 {
		return decl, []string{"SET " + in.Ledger + " = ARRAY(SELECT AS STRUCT l.* REPLACE (0 AS " + rows + ") FROM UNNEST(" + in.Ledger + ") l)"}
	}
	counts := make([]string, len(from))
	for i, f := range from {
		counts[i] = "      SELECT _FILE_NAME AS uri, COUNT(*) AS n FROM " + f + " WHERE _FILE_NAME IN UNNEST(_st_uris) GROUP BY 1"
	}
	key := d.Ident("key")
	return decl, []string{
		"SET _st_uris = ARRAY(SELECT b.uri FROM UNNEST(" + in.Files + ") b WHERE b.uri IS NOT NULL)",
		"SET " + in.Ledger + " = ARRAY(\n  SELECT AS STRUCT l.* REPLACE (COALESCE(c.n, 0) AS " + rows + ")\n" +
			"  FROM UNNEST(" + in.Ledger + ") l\n  LEFT JOIN (\n" +
			"    SELECT b." + key + ", SUM(x.n) AS n FROM (\n" + strings.Join(counts, "\n      UNION ALL\n") + "\n" +
			"    ) x JOIN UNNEST(" + in.Files + ") b ON b.uri = x.uri GROUP BY 1\n" +
			"  ) c ON c." + key + " = l." + key + ")",
	}
}

// SumRows renders the SELECT that ends a script with the total of its ledger
// rows' `rows`: the script job's result, which synctrack reads back as the
// batch's row count.
func (d BigQuery) SumRows(ledger string) string {
	return "SELECT COALESCE(SUM(l." + d.Ident("rows") + "), 0) AS " + d.Ident("rows") + " FROM UNNEST(" + ledger + ") l"
}
