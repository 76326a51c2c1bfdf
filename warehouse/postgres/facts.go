package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// ReplaceFacts rebuilds a fact table from all of its current files: the
// columns as written (names lower case, so they are typed unquoted; ids as
// text), one row per (org, id) taken from the newest file, plus org_id, _file
// and _loaded_at. The table keeps its identity (views depend on it): new
// columns are added, its rows deleted and the new ones inserted, in the same
// transaction as the ledger rows (keep.Deleted's too). Fact tables are small (one row per source,
// destination or object): their rows go as one JSON parameter that
// jsonb_populate_recordset types by the table's own columns. The rows of
// keep.Keys stay (warehouse.FactsKept).
func (w *Warehouse) ReplaceFacts(ctx context.Context, table string, files []warehouse.File, keep warehouse.FactsKept) error {
	if err := w.lockLoads(ctx); err != nil {
		return err
	}
	required, ok := dialects.FactColumns[table]
	if !ok {
		return fmt.Errorf("unknown fact table %q", table)
	}
	now := w.now().UTC()
	fr, err := readFacts(files, required, now)
	if err != nil {
		return err
	}
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, fr.rows[f.Key], f.Attempts, joinNotes(f.Note, fr.fix[f.Key].note()), now)
	}
	es = append(es, keep.Deleted...)
	t := w.table(table)
	return w.inTx(ctx, func(tx pgx.Tx) error {
		have, err := w.columnTypes(ctx, tx, table)
		if err != nil {
			return err
		}
		for _, c := range fr.columns {
			typ, ok := have[c.Name]
			switch {
			case !ok:
				if _, err := tx.Exec(ctx, `ALTER TABLE `+t+` ADD COLUMN IF NOT EXISTS `+w.d.Ident(c.Name)+" "+c.Type); err != nil {
					return fmt.Errorf("add column %s to %s: %w", c.Name, table, err)
				}
			case typ != "text" && typ != pgTypeName[c.Type]:
				// The table's rows (another org's, or a kept version's) have
				// the column as another type: it becomes text on both sides,
				// as on DuckDB, else this file's values would not fit it.
				if err := w.viewsAllow(ctx, tx, table, c.Name, typ, fr.typeOf[c.Name]); err != nil {
					return err
				}
				col := w.d.Ident(c.Name)
				if _, err := tx.Exec(ctx, `ALTER TABLE `+t+` ALTER COLUMN `+col+` TYPE TEXT USING `+col+`::text`); err != nil {
					return fmt.Errorf("make column %s of %s text (its files give it two types): %w", c.Name, table, err)
				}
			}
		}
		keys, newer := keep.Keys, keep.Newer
		if keys == nil {
			keys = []string{}
		}
		if newer == nil {
			newer = []string{}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE _file IS NULL OR _file <> ALL($1::text[])`, keys); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+t+` SELECT * FROM jsonb_populate_recordset(NULL::`+t+`, $1::jsonb)`, fr.json); err != nil {
			return fmt.Errorf("rebuild %s: %w", table, err)
		}
		if len(keys) > 0 {
			// For an (org, id) of a kept row, a newer file's row replaces
			// it; any other file's row goes.
			same := `n.org_id IS NOT DISTINCT FROM o.org_id AND n.id IS NOT DISTINCT FROM o.id`
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` o WHERE o._file = ANY($1::text[]) AND EXISTS (SELECT 1 FROM `+t+
				` n WHERE n._file = ANY($2::text[]) AND `+same+`)`, keys, newer); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` n WHERE n._file <> ALL($1::text[]) AND EXISTS (SELECT 1 FROM `+t+
				` o WHERE o._file = ANY($1::text[]) AND `+same+`)`, keys); err != nil {
				return err
			}
		}
		return w.upsertLedger(ctx, tx, es)
	})
}

// facts is what the fact files hold, ready to insert.
type facts struct {
	columns []dialects.Column            // every column seen, with its PostgreSQL type
	colIdx  map[string]int               // index in columns by name
	typeOf  map[string]map[string]string // an extra column's type in each file, by column and key
	json    string                       // the kept rows, a JSON array of objects
	rows    map[string]int64             // rows per file
	fix     map[string]*repairs
}

// readFacts reads every file, newest first (modification time, then key,
// as the other engines order them), and keeps the first row of each
// (org, id): the newest file's.
func readFacts(files []warehouse.File, required []string, now time.Time) (facts, error) {
	byAge := append([]warehouse.File(nil), files...)
	sort.SliceStable(byAge, func(i, j int) bool {
		if !byAge[i].ModTime.Equal(byAge[j].ModTime) {
			return byAge[i].ModTime.After(byAge[j].ModTime)
		}
		return byAge[i].Key > byAge[j].Key
	})
	fr := facts{rows: map[string]int64{}, fix: map[string]*repairs{}, colIdx: map[string]int{},
		typeOf: map[string]map[string]string{}}
	typed := map[string]bool{}
	for _, c := range required {
		typed[c] = true
	}
	kept := map[[2]string]bool{}
	out := []byte{'['}
	loadedAt := appendJSONString(nil, now.Format("2006-01-02T15:04:05.999999Z07:00"))
	for _, f := range byAge {
		fix := &repairs{}
		fr.fix[f.Key] = fix
		if f.Local == "" {
			continue
		}
		p, err := openParquet(f.Local)
		if err != nil {
			return fr, warehouse.DataError(fmt.Errorf("%s: %w", f.Key, err), f.Key)
		}
		err = fr.readFile(p, f, fix, typed, kept, &out, loadedAt)
		p.close()
		if err != nil {
			return fr, warehouse.DataError(fmt.Errorf("%s: %w", f.Key, err), f.Key)
		}
	}
	if len(out) == 1 {
		out = append(out, ']')
	} else {
		out[len(out)-1] = ']'
	}
	fr.json = string(out)
	return fr, nil
}

func isID(c string) bool { return c == "id" || strings.HasSuffix(c, "_id") }

// readFile appends the rows of one file that are the first of their (org,
// id) to out, each followed by a comma.
func (fr *facts) readFile(p *parquetFile, f warehouse.File, fix *repairs, typed map[string]bool,
	kept map[[2]string]bool, out *[]byte, loadedAt []byte) error {
	own := map[string]bool{"org_id": true, "_file": true, "_loaded_at": true}
	var cols []int
	for i, n := range p.names {
		if n == "" || own[n] {
			continue
		}
		if c := leafNamed(cols, p, n); c >= 0 {
			// Names that differ only in ASCII case are refused when the
			// file is staged; these differ in another case ("É" and "é"):
			// one column here, and the second's values would be dropped.
			return fmt.Errorf("columns %q and %q are one name in lower case, as PostgreSQL's fact tables name their columns: one would be dropped",
				p.orig[c], p.orig[i])
		}
		if len(n) > maxName {
			// PostgreSQL would add the column cut to maxName bytes, and
			// jsonb_populate_recordset, matching the whole name, would
			// give it no value: the file loaded, that column NULL.
			return fmt.Errorf("column %q: its name is %d bytes, and PostgreSQL keeps %d bytes of a name (the column would be cut and its values lost)",
				p.orig[i], len(n), maxName)
		}
		cols = append(cols, i)
		typ := factType(p.types[i], isID(n))
		if _, ok := fr.colIdx[n]; ok || !typed[n] {
			if fr.typeOf[n] == nil {
				fr.typeOf[n] = map[string]string{}
			}
			fr.typeOf[n][f.Key] = typ
		}
		if !typed[n] {
			typed[n] = true
			fr.colIdx[n] = len(fr.columns)
			fr.columns = append(fr.columns, dialects.Column{Name: n, Type: typ})
		} else if k, ok := fr.colIdx[n]; ok && fr.columns[k].Type != typ {
			// Two files give the column two types: text holds both (a
			// JSON number or boolean is stored as its text).
			fr.columns[k].Type = "TEXT"
		}
	}
	id := p.column("id")
	org, key := appendJSONString(nil, f.OrgID), appendJSONString(nil, f.Key)
	for p.next() {
		fr.rows[f.Key]++
		idText := "\x00null"
		if id >= 0 && !p.row[id].IsNull() {
			idText = p.types[id].text(p.row[id], fix)
		}
		if k := [2]string{f.OrgID, idText}; kept[k] {
			continue
		} else {
			kept[k] = true
		}
		b := append(*out, '{')
		for _, i := range cols {
			b = append(appendJSONString(b, p.names[i]), ':')
			if v := p.row[i]; isID(p.names[i]) && !v.IsNull() {
				b = appendJSONString(b, p.types[i].text(v, fix))
			} else {
				b = p.types[i].appendJSON(b, v, fix)
			}
			b = append(b, ',')
		}
		b = append(append(b, `"org_id":`...), org...)
		b = append(append(b, `,"_file":`...), key...)
		b = append(append(b, `,"_loaded_at":`...), loadedAt...)
		*out = append(b, '}', ',')
	}
	return p.err
}

// leafNamed is the leaf of cols named name, or -1.
func leafNamed(cols []int, p *parquetFile, name string) int {
	for _, c := range cols {
		if p.names[c] == name {
			return c
		}
	}
	return -1
}

// factType is the PostgreSQL type of a fact column as written.
func factType(t leafType, id bool) string {
	switch {
	case id:
		return "TEXT"
	case t.unit != 0:
		return "TIMESTAMPTZ"
	case t.date:
		return "DATE"
	case t.scale >= 0, t.unsigned && t.kind == parquet.Int64:
		return "NUMERIC"
	case t.kind == parquet.Boolean:
		return "BOOLEAN"
	case t.kind == parquet.Int32 || t.kind == parquet.Int64:
		return "BIGINT"
	case t.kind == parquet.Float || t.kind == parquet.Double:
		return "DOUBLE PRECISION"
	}
	return "TEXT"
}

// pgTypeName is how information_schema names each type factType gives.
var pgTypeName = map[string]string{
	"TEXT": "text", "TIMESTAMPTZ": "timestamp with time zone", "DATE": "date", "NUMERIC": "numeric",
	"BOOLEAN": "boolean", "BIGINT": "bigint", "DOUBLE PRECISION": "double precision",
}

// columnTypes are the types of table's columns, by name, as
// information_schema names them.
func (w *Warehouse) columnTypes(ctx context.Context, tx pgx.Tx, table string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, w.schema, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		have[name] = typ
	}
	return have, rows.Err()
}
