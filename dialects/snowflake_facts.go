package dialects

import (
	"strconv"
	"strings"
)

// FactBuild renders the rebuild of a fact table, in order but for the COPY
// statements, which go between Create and the rest (CopyInto into Building):
// a new table with the required columns (files add theirs by schema
// evolution), org_id from the path, one row per (org, id) from the newest
// file, then an atomic SWAP with the live table and a DROP of the old rows.
// newestFirst ranks the table's files, newest first. The live table's rows
// of the files keep names are copied in, in the required columns (their
// types are the same in both tables, so no kept row can fail a file), and
// one row per (org, id) of theirs is left: a newer file's (a file of newer,
// new or changed since the last rebuild), else the kept one
// (warehouse.FactsKept).
type FactBuild struct {
	Create   string
	Building string // the new table's name, for CopyInto
	Finish   []string
}

// FactRebuild renders a FactBuild for table.
func (d Snowflake) FactRebuild(schema, table string, newestFirst, keep, newer []string) FactBuild {
	building := table + "__synctrack_new"
	cols := factTableColumns(table)
	parts := make([]string, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = d.Ident(c.Name) + " " + SnowflakeType(c.Type)
		names[i] = d.Ident(c.Name)
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
	var finish []string
	if len(keep) > 0 {
		finish = append(finish, "INSERT INTO "+nt+" ("+strings.Join(names, ", ")+")\nSELECT "+strings.Join(names, ", ")+
			" FROM "+d.Table(schema, table)+" WHERE "+d.In("_file", keep))
	}
	finish = append(finish,
		"UPDATE "+nt+" SET "+org+" = SPLIT_PART("+file+", '/', -2), "+id+" = "+id+"::VARCHAR",
		// Kept rows have no rank (NULL): this leaves them all, and one row
		// per (org, id) of the files'.
		"DELETE FROM "+nt+" t USING (SELECT "+org+" AS o, "+id+" AS i, MIN("+rank(file)+") AS r FROM "+nt+
			" GROUP BY 1, 2) k\nWHERE EQUAL_NULL(t."+org+", k.o) AND EQUAL_NULL(t."+id+", k.i) AND "+
			rank("t."+file)+" > k.r")
	if len(keep) > 0 { // keep is not empty: "t." + In qualifies a column
		pair := func(a string) string {
			return "EQUAL_NULL(" + a + "." + org + ", k." + org + ") AND EQUAL_NULL(" + a + "." + id + ", k." + id + ")"
		}
		finish = append(finish,
			"DELETE FROM "+nt+" t USING (SELECT "+org+", "+id+" FROM "+nt+" WHERE "+d.In("_file", newer)+") k\nWHERE t."+
				d.In("_file", keep)+" AND "+pair("t"),
			"DELETE FROM "+nt+" t USING (SELECT "+org+", "+id+" FROM "+nt+" WHERE "+d.In("_file", keep)+") k\nWHERE NOT t."+
				d.In("_file", keep)+" AND "+pair("t"))
	}
	return FactBuild{
		Create:   "CREATE OR REPLACE TABLE " + nt + " (\n  " + strings.Join(parts, ",\n  ") + "\n)\nENABLE_SCHEMA_EVOLUTION = TRUE",
		Building: building,
		Finish: append(finish,
			"ALTER TABLE "+d.Table(schema, table)+" SWAP WITH "+nt,
			"DROP TABLE "+nt,
		),
	}
}
