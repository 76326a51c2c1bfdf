package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// ReplaceFacts rebuilds a fact table from all of its current files: the columns
// as written, ids as text, one row per (org, id) taken from the newest file,
// plus org_id, _file and _loaded_at; and keeps the rows keep names
// (replaceKeeping). Table and ledger rows (keep.Deleted's too) change
// together.
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	required, ok := dialects.FactColumns[table]
	if !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	now := w.now().UTC()
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, f.Rows, f.Attempts, f.Note, now)
	}
	es = append(es, keep.Deleted...)
	return w.inConnTx(ctx, files, func(conn *sql.Conn, tx *sql.Tx) error {
		if err := w.fillBatch(ctx, conn, tx, files); err != nil {
			return err
		}
		sel := w.factsSelect(required, files)
		if len(keep.Keys) > 0 {
			if err := w.replaceKeeping(ctx, tx, table, sel, keep, now); err != nil {
				return err
			}
		} else if _, err := w.exec(ctx, tx, "CREATE OR REPLACE TABLE "+w.table(table)+" AS\n"+sel, now); err != nil {
			return err
		}
		return w.upsertLedger(ctx, conn, tx, es)
	})
}

// factsSelect is the rows of files, one per (org, id) from the newest.
func (w *Warehouse) factsSelect(required []string, files []warehouse.File) string {
	d := w.d
	isID := map[string]bool{}
	for _, c := range required {
		if c == "id" || strings.HasSuffix(c, "_id") {
			isID[c] = true
		}
	}
	var local []warehouse.File
	has := map[string]bool{}
	for _, f := range files {
		if f.Local == "" {
			continue
		}
		local = append(local, f)
		for _, c := range f.Columns {
			has[warehouse.ASCIILower(c)] = true
		}
	}
	var missing []string
	for _, c := range required {
		if !has[c] {
			missing = append(missing, "CAST(NULL AS VARCHAR) AS "+d.Ident(c))
		}
	}
	if len(local) == 0 {
		return "SELECT " + strings.Join(missing, ", ") +
			", CAST(NULL AS VARCHAR) AS org_id, CAST(NULL AS VARCHAR) AS _file, CAST($1 AS TIMESTAMPTZ) AS _loaded_at\nFROM (SELECT NULL) r WHERE false"
	}
	id := "CAST(NULL AS VARCHAR)"
	if has["id"] {
		id = "CAST(r.id AS VARCHAR)"
	}
	groups := byShape(local)
	if len(groups) == 1 {
		sel := append(factColumns(d, local, isID, nil), missing...)
		return "SELECT " + strings.Join(sel, ", ") +
			", b.org_id, b.key AS _file, CAST($1 AS TIMESTAMPTZ) AS _loaded_at\nFROM read_parquet([" +
			strings.Join(localPaths(d, local), ", ") + "], union_by_name = true, filename = " + d.String(pathColumn) +
			") r\nJOIN _st_batch b ON r." + pathColumn + " = b.path\n" +
			"QUALIFY row_number() OVER (PARTITION BY b.org_id, " + id + " ORDER BY b.mtime DESC, b.key DESC) = 1"
	}
	// Files of several shapes (warehouse.RecordsShape): each shape read in
	// a statement of its own, as the records are, so one file's odd column
	// type is not imposed on every file, and their rows put together by
	// name. A column the shapes disagree on (text in one, a struct in
	// another) becomes text in every shape; one they agree on keeps its
	// type (an instant in ms and one in us are both instants).
	asText := disagreeing(groups)
	var branches []string
	for _, g := range groups {
		gid := "CAST(NULL AS VARCHAR)"
		if groupHas(g, "id") {
			gid = "CAST(r.id AS VARCHAR)"
		}
		branches = append(branches, "SELECT "+strings.Join(factColumns(d, g, isID, asText), ", ")+
			", b.org_id, b.key AS _file, b.mtime AS _st_mtime, "+gid+" AS _st_id\nFROM read_parquet(["+
			strings.Join(localPaths(d, g), ", ")+"], union_by_name = true, filename = "+d.String(pathColumn)+
			") r\nJOIN _st_batch b ON r."+pathColumn+" = b.path")
	}
	return "SELECT * EXCLUDE (_st_mtime, _st_id)" + prefixComma(missing) + ", CAST($1 AS TIMESTAMPTZ) AS _loaded_at\nFROM (\n" +
		strings.Join(branches, "\nUNION ALL BY NAME\n") + "\n) r\n" +
		"QUALIFY row_number() OVER (PARTITION BY org_id, _st_id ORDER BY _st_mtime DESC, _file DESC) = 1"
}

// disagreeing are the columns that groups of files (each of one shape)
// give kinds DuckDB cannot put in one column without failing or changing
// values: compared by family (family), a column a group lacks not counted;
// decimals by their digits too (decimalsUnite).
func disagreeing(groups [][]warehouse.File) map[string]bool {
	seen := map[string]string{}
	out := map[string]bool{}
	decimals := map[string][]string{}
	for _, g := range groups {
		odd := warehouse.ShapeColumns(g[0].Shape)
		has := map[string]bool{}
		for _, f := range g {
			for _, c := range f.Columns {
				has[warehouse.ASCIILower(c)] = true
			}
		}
		for c := range has {
			fam := family(odd[c])
			if prev, ok := seen[c]; ok && prev != fam {
				out[c] = true
			}
			seen[c] = fam
			if fam == "decimal" {
				decimals[c] = append(decimals[c], odd[c])
			}
		}
	}
	for c, ds := range decimals {
		if !decimalsUnite(ds...) {
			out[c] = true
		}
	}
	return out
}

// decimalsUnite says whether DuckDB puts decimals of these types in one
// without rounding: it takes the most integer digits and the largest
// scale, which must fit in 38 digits. Past that it rounds (a DECIMAL(10,2)
// with a DECIMAL(38,0): 1.25 came as 1) or fails a value (found by a
// review). A type that is no decimal does not unite.
func decimalsUnite(types ...string) bool {
	digits, scale := 0, 0
	for _, t := range types {
		p, s, ok := decimalOf(t)
		if !ok {
			return false
		}
		digits, scale = max(digits, p-s), max(scale, s)
	}
	return digits+scale <= 38
}

// decimalOf reads the precision and scale of a type naming DECIMAL(p,s),
// as parquet's (INT64 DECIMAL(9,2)) or DuckDB's (DECIMAL(9,2)) are written.
func decimalOf(typ string) (p, s int, ok bool) {
	i := strings.Index(typ, "DECIMAL(")
	if i < 0 {
		return 0, 0, false
	}
	rest := typ[i+len("DECIMAL("):]
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return 0, 0, false
	}
	ps, ss, found := strings.Cut(rest[:end], ",")
	p, err1 := strconv.Atoi(strings.TrimSpace(ps))
	s, err2 := strconv.Atoi(strings.TrimSpace(ss))
	if !found || err1 != nil || err2 != nil || p < 1 || s < 0 || s > p {
		return 0, 0, false
	}
	return p, s, true
}

// family is what DuckDB unites a column's types by: "" (text, a plain
// column), integers, instants (any unit, zone or date), booleans, floats,
// decimals (whose digits disagreeing checks too); anything else by its
// exact type, whether optional or not.
func family(desc string) string {
	desc = strings.TrimPrefix(strings.TrimPrefix(desc, "optional "), "required ")
	switch {
	case desc == "":
		return ""
	case strings.HasPrefix(desc, "INT96"), !strings.HasPrefix(desc, "group") && (strings.Contains(desc, "TIMESTAMP") || strings.Contains(desc, "DATE")):
		return "instant"
	case desc == "BOOLEAN":
		return "boolean"
	case !strings.HasPrefix(desc, "group") && strings.Contains(desc, "DECIMAL("):
		return "decimal"
	case strings.HasPrefix(desc, "FLOAT"), strings.HasPrefix(desc, "DOUBLE"):
		return "float"
	case strings.HasPrefix(desc, "INT32"), strings.HasPrefix(desc, "INT64"):
		return "integer"
	}
	return desc
}

func groupHas(files []warehouse.File, col string) bool {
	for _, f := range files {
		for _, c := range f.Columns {
			if warehouse.ASCIILower(c) == col {
				return true
			}
		}
	}
	return false
}

// factColumns are the SELECT list of files' own columns: ids as text, and
// those in asText too.
func factColumns(d dialects.DuckDB, files []warehouse.File, isID, asText map[string]bool) []string {
	// The names the rebuild's SELECTs add themselves: a file's own column
	// of one of these names is not read (an "_st_id" made the union of
	// shapes fail, found by a review).
	own := map[string]bool{"org_id": true, "_file": true, "_loaded_at": true, pathColumn: true, "_st_mtime": true, "_st_id": true}
	var sel []string
	has := map[string]bool{}
	for _, f := range files {
		for _, c := range f.Columns {
			lc := warehouse.ASCIILower(c)
			if has[lc] || own[lc] {
				continue
			}
			has[lc] = true
			if isID[lc] || asText[lc] {
				sel = append(sel, "CAST(r."+d.Ident(c)+" AS VARCHAR) AS "+d.Ident(lc))
			} else {
				sel = append(sel, "r."+d.Ident(c))
			}
		}
	}
	return sel
}

func localPaths(d dialects.DuckDB, files []warehouse.File) []string {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = d.String(f.Local)
	}
	return paths
}

func prefixComma(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	return ", " + strings.Join(cols, ", ")
}
