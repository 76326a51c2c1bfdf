package dialects

import "strings"

// ReplaceFacts renders the statements that rebuild one fact table from all of
// its current files, for Transaction: empty it but for the rows of the
// files keep names, insert the newest row per (org, id) over every file,
// leave one row per (org, id) of a kept row (a newer file's, else the kept
// one: warehouse.FactsKept), write the ledger. Replacing inside the
// transaction keeps readers on the old rows until the commit.
func (d BigQuery) ReplaceFacts(dataset, table string, in BQBatch, srcs []BQSource, keep, newer []string) []string {
	t := d.Table(dataset, table)
	stmts := []string{"DELETE FROM " + t + " WHERE TRUE"}
	kept := d.StringArray(keep)
	if len(keep) > 0 {
		stmts[0] = "DELETE FROM " + t + " WHERE _file IS NULL OR _file NOT IN UNNEST(" + kept + ")"
	}
	cols := FactColumns[table]
	if len(srcs) > 0 && len(cols) > 0 {
		all := append(append([]string{}, cols...), "org_id", "_file", "_loaded_at")
		quoted := make([]string, len(all))
		for i, c := range all {
			quoted[i] = d.Ident(c)
		}
		sels := make([]string, len(srcs))
		for i, s := range srcs {
			sels[i] = d.selectFacts(s, in, cols)
		}
		stmts = append(stmts, "INSERT INTO "+t+" ("+strings.Join(quoted, ", ")+")\n"+
			"SELECT "+strings.Join(quoted, ", ")+" FROM (\n"+strings.Join(sels, "\nUNION ALL\n")+"\n)\n"+
			"WHERE _rank = 1")
		if len(keep) > 0 {
			// Uncorrelated: the emulator deletes every kept row for an
			// EXISTS that names the outer table. An id NULL is "-", any
			// other "=id": the two never meet. A newer file's row replaces
			// a kept one; any other file's row goes.
			pair := "CONCAT(org_id, '/', COALESCE(CONCAT('=', id), '-'))"
			stmts = append(stmts,
				"DELETE FROM "+t+" WHERE _file IN UNNEST("+kept+") AND "+pair+
					" IN (SELECT "+pair+" FROM "+t+" WHERE _file IN UNNEST("+d.StringArray(newer)+"))",
				"DELETE FROM "+t+" WHERE _file NOT IN UNNEST("+kept+") AND "+pair+
					" IN (SELECT "+pair+" FROM "+t+" WHERE _file IN UNNEST("+kept+"))")
		}
	}
	return append(stmts, d.WriteLedger(dataset, in.Ledger)...)
}

func (d BigQuery) selectFacts(s BQSource, in BQBatch, cols []string) string {
	name := map[string]string{}
	typ := map[string]string{}
	for _, c := range s.Columns {
		lc := strings.ToLower(c.Name)
		if _, dup := name[lc]; !dup {
			name[lc], typ[lc] = c.Name, c.Type
		}
	}
	str := func(c string) string {
		switch t, ok := typ[c]; {
		case !ok:
			return "CAST(NULL AS STRING)"
		case t == "STRING":
			return "t." + d.Ident(name[c])
		case t == "JSON":
			return "TO_JSON_STRING(t." + d.Ident(name[c]) + ")"
		}
		return "CAST(t." + d.Ident(name[c]) + " AS STRING)"
	}
	sel := make([]string, 0, len(cols)+4)
	for _, c := range cols {
		sel = append(sel, str(c)+" AS "+d.Ident(c))
	}
	sel = append(sel, "b.org_id", "b.key AS _file", in.LoadedAt+" AS _loaded_at",
		"ROW_NUMBER() OVER (PARTITION BY b.org_id, "+str("id")+" ORDER BY b.mtime DESC, b.key DESC) AS _rank")
	return "SELECT " + strings.Join(sel, ", ") + "\nFROM " + s.From + " t\nJOIN UNNEST(" + in.Files + ") b ON " + s.Join
}
