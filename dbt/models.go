package dbt

import (
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// model renders the staging model of one table or view: its columns, by
// name, from the source. A column name that is a keyword of some engine
// (load_ledger's rows, key, size) is quoted as the engine quotes it: upper
// case on Snowflake, where unquoted names are stored so. Names are plain
// (relations checks), so the source() call's string literal and the SQL
// hold nothing but the name.
func model(d dialects.Dialect, r dialects.Relation) string {
	var b strings.Builder
	b.WriteString("-- " + Marker + ": " + r.Name + " from source('" + SourceName + "', '" + r.Name + "'), in " + d.Name() + " SQL.\n")
	b.WriteString("-- Run synctrack dbt again to refresh it; it overwrites edits made here.\n")
	b.WriteString("select\n")
	for i, c := range r.Columns {
		b.WriteString("    " + columnRef(d, c.Name))
		if i < len(r.Columns)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("from {{ source('" + SourceName + "', '" + r.Name + "') }}\n")
	return b.String()
}

func columnRef(d dialects.Dialect, name string) string {
	if dialects.IsKeyword(name) {
		return d.Ident(name)
	}
	return name
}
