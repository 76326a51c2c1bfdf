package dialects

import (
	"slices"
	"strconv"
	"strings"
)

// FactBuild renders the rebuild of a fact table, in order but for the COPY
// statements, which go between Create and the rest (CopyInto into Building):
// a new table with the required columns (files add theirs by schema
// evolution), org_id from the path, one row per (org, id) from the newest
// file, then an atomic SWAP with the live table and a DROP of the old rows.
// newestFirst ranks the table's files, newest first. With files to keep, the
// new table starts as a clone of the live one holding only their rows (and
// every column it has), ranked after every file: a file gives an (org, id)
// again, its row wins.
type FactBuild struct {
	Create   []string
	Building string // the new table's name, for CopyInto
	Finish   []string
}

// FactRebuild renders a FactBuild for table.
func (d Snowflake) FactRebuild(schema, table string, newestFirst, keep []string) FactBuild {
	building := table + "__synctrack_new"
	cols := factTableColumns(table)
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = d.Ident(c.Name) + " " + SnowflakeType(c.Type)
	}
	nt := d.Table(schema, building)
	file := d.Ident("_file")
	rank := func(col string) string {
		if len(newestFirst) == 0 {
			return "0"
		}
		var b strings.Builder
		b.WriteString("CASE " + col)
		for i, k := range newestFirst {
			b.WriteString(" WHEN " + d.String(k) + " THEN " + strconv.Itoa(i))
		}
		return b.String() + " END"
	}
	org, id := d.Ident("org_id"), d.Ident("id")
	create := []string{"CREATE OR REPLACE TABLE " + nt + " (\n  " + strings.Join(parts, ",\n  ") + "\n)\nENABLE_SCHEMA_EVOLUTION = TRUE"}
	if len(keep) > 0 {
		kept := make([]string, len(keep))
		for i, k := range keep {
			kept[i] = d.String(k)
		}
		create = []string{
			"CREATE OR REPLACE TABLE " + nt + " CLONE " + d.Table(schema, table),
			"DELETE FROM " + nt + " WHERE " + file + " IS NULL OR " + file + " NOT IN (" + strings.Join(kept, ", ") + ")",
			"ALTER TABLE " + nt + " SET ENABLE_SCHEMA_EVOLUTION = TRUE",
		}
		newestFirst = append(slices.Clip(newestFirst), keep...)
	}
	return FactBuild{
		Create:   create,
		Building: building,
		Finish: []string{
			"UPDATE " + nt + " SET " + org + " = SPLIT_PART(" + file + ", '/', -2), " + id + " = " + id + "::VARCHAR",
			"DELETE FROM " + nt + " t USING (SELECT " + org + " AS o, " + id + " AS i, MIN(" + rank(file) + ") AS r FROM " + nt +
				" GROUP BY 1, 2) k\nWHERE EQUAL_NULL(t." + org + ", k.o) AND EQUAL_NULL(t." + id + ", k.i) AND " +
				rank("t."+file) + " > k.r",
			"ALTER TABLE " + d.Table(schema, table) + " SWAP WITH " + nt,
			"DROP TABLE " + nt,
		},
	}
}
