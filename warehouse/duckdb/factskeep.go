package duckdb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/synctrack/synctrack/warehouse"
)

// factsNew holds a rebuild's rows from its files while the kept rows are
// put beside them.
const factsNew = "_st_facts_new"

// replaceKeeping replaces table with the rows sel gives and the live
// table's rows of keep.Keys, on tx. For an (org, id) both have, the kept
// row stays unless the new one comes from a file of keep.Newer. The new
// rows go to a temporary table first, whose column types, compared with
// the live table's, say which columns the two disagree on (a struct where
// the kept rows have text): those become text on both sides, as between
// shapes of files, so no kept row can fail a new file. The kept rows bring
// the columns the new rows have.
func (w *Warehouse) replaceKeeping(ctx context.Context, tx *sql.Tx, table, sel string, keep warehouse.FactsKept, now time.Time) error {
	if _, err := w.exec(ctx, tx, "CREATE OR REPLACE TEMP TABLE "+factsNew+" AS\n"+sel, now); err != nil {
		return err
	}
	fresh, err := w.columnTypes(ctx, tx, "temp", "main", factsNew)
	if err != nil {
		return err
	}
	live, err := w.columnTypes(ctx, tx, "", w.schema, table)
	if err != nil {
		return err
	}
	d := w.d
	var newCols, oldCols []string
	for _, c := range fresh {
		col := d.Ident(c.name)
		typ, ok := live.typeOf(c.name)
		switch {
		case !ok:
			newCols = append(newCols, "n."+col)
			oldCols = append(oldCols, "NULL AS "+col)
		case unites(typ, c.typ):
			newCols = append(newCols, "n."+col)
			oldCols = append(oldCols, "o."+col)
		default:
			newCols = append(newCols, "CAST(n."+col+" AS VARCHAR) AS "+col)
			oldCols = append(oldCols, "CAST(o."+col+" AS VARCHAR) AS "+col)
		}
	}
	same := "n.org_id IS NOT DISTINCT FROM o.org_id AND n.id IS NOT DISTINCT FROM o.id"
	kept, newer := d.InList("o._file", keep.Keys), d.InList("n._file", keep.Newer)
	t := w.table(table)
	q := "CREATE OR REPLACE TABLE " + t + " AS\n" +
		"SELECT " + strings.Join(newCols, ", ") + " FROM " + factsNew + " n\n" +
		"WHERE " + newer + " OR NOT EXISTS (SELECT 1 FROM " + t + " o WHERE " + kept + " AND " + same + ")\n" +
		"UNION ALL\n" +
		"SELECT " + strings.Join(oldCols, ", ") + " FROM " + t + " o\n" +
		"WHERE " + kept + " AND NOT EXISTS (SELECT 1 FROM " + factsNew + " n WHERE " + newer + " AND " + same + ")"
	if _, err := w.exec(ctx, tx, q); err != nil {
		return err
	}
	_, err = w.exec(ctx, tx, "DROP TABLE "+factsNew)
	return err
}

// unites says whether DuckDB puts values of types a and b in one column
// without failing or changing them: the same type, signed integers both (a
// union widens them), or decimals whose digits fit (decimalsUnite). Other
// numbers do not: a BIGINT meeting a DECIMAL(38,20) fails, a BIGINT
// meeting a DOUBLE loses digits (found by a review).
func unites(a, b string) bool {
	return a == b || signedInteger[a] && signedInteger[b] || plainDecimal(a) && plainDecimal(b) && decimalsUnite(a, b)
}

// plainDecimal says typ is DECIMAL(p,s) itself, not a struct, list or map
// holding one (found by a review: those were united by their first
// decimal, and failed or rounded).
func plainDecimal(typ string) bool {
	return strings.HasPrefix(typ, "DECIMAL(") && strings.IndexByte(typ, ')') == len(typ)-1
}

var signedInteger = map[string]bool{"TINYINT": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true, "HUGEINT": true}

type column struct{ name, typ string }

type columns []column

// typeOf is the type of the column named name as DuckDB matches names:
// ASCII letters in any case, every other byte as it is ("Région" and
// "RÉGION" are two columns).
func (cs columns) typeOf(name string) (string, bool) {
	for _, c := range cs {
		if warehouse.ASCIILower(c.name) == warehouse.ASCIILower(name) {
			return c.typ, true
		}
	}
	return "", false
}

// columnTypes lists a table's columns in order with their types; database
// "" is the warehouse's own.
func (w *Warehouse) columnTypes(ctx context.Context, tx *sql.Tx, database, schema, table string) (columns, error) {
	db := "current_database()"
	args := []any{schema, table}
	if database != "" {
		db, args = "$3", append(args, database)
	}
	rows, err := w.query(ctx, tx, `SELECT column_name, data_type FROM duckdb_columns()
WHERE database_name = `+db+` AND lower(schema_name) = lower($1) AND table_name = $2 ORDER BY column_index`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out columns
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
