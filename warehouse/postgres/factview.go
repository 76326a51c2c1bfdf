package postgres

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/warehouse"
)

// viewsAllow says whether column of table, now of type have, may become
// text: PostgreSQL changes no column's type while a view or rule uses it
// (a user's own view over a fact table, say). If one does, the files that
// give the column another type fail, naming the column, the views and the
// way out, and the rebuild goes on without them; the view and the table
// keep the other files' rows. Without this, the ALTER failed the whole
// rebuild, blamed on no file, until halving found the file.
func (w *Warehouse) viewsAllow(ctx context.Context, tx pgx.Tx, table, column, have string, byFile map[string]string) error {
	rows, err := tx.Query(ctx, `SELECT DISTINCT v.oid::regclass::text
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1::text::regclass AND a.attname = $2 AND v.oid <> d.refobjid
ORDER BY 1`, w.table(table), column)
	if err != nil {
		return fmt.Errorf("read the views over %s.%s: %w", table, column, err)
	}
	views, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(views) == 0 {
		return err
	}
	var keys, types []string
	for k, typ := range byFile {
		if pgTypeName[typ] != have {
			keys = append(keys, k)
			if !slices.Contains(types, pgTypeName[typ]) {
				types = append(types, pgTypeName[typ])
			}
		}
	}
	sort.Strings(keys)
	sort.Strings(types)
	return warehouse.DataError(fmt.Errorf("column %q of %s is %s, and the view %s uses it; %s gives it as %s, which would make the column text, "+
		"and PostgreSQL changes no column a view uses: drop the view, load again, then create it over the text column (or write the column as %s)",
		column, table, have, strings.Join(views, ", "), warehouse.SomeKeys(keys, 3), strings.Join(types, " and "), have), keys...)
}
