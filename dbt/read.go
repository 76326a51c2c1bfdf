package dbt

import (
	"context"
	"fmt"
	"sort"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// TypedViews reads payload_columns through the engine's query path: one
// statement, the schema and names quoted by the engine's dialect, no
// parameters. The views are sorted by name and their columns by column name,
// the order the views have them.
func TypedViews(ctx context.Context, q warehouse.Querier) ([]TypedView, error) {
	d := q.Dialect()
	cols := []string{"sync_configuration_id", "view_name", "field_name", "column_name", "column_type"}
	sel := ""
	for i, c := range cols {
		if i > 0 {
			sel += ", "
		}
		sel += d.Ident(c)
	}
	rows, err := q.Query(ctx, "SELECT "+sel+" FROM "+d.Table(q.Schema(), "payload_columns"), nil)
	if err != nil {
		return nil, fmt.Errorf("read payload_columns: %w", err)
	}
	defer rows.Close()
	byView := map[string]*TypedView{}
	for rows.Next() {
		v := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range v {
			ptrs[i] = &v[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read payload_columns: %w", err)
		}
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = text(x)
		}
		tv := byView[s[1]]
		if tv == nil {
			tv = &TypedView{Name: s[1], SyncID: s[0]}
			byView[s[1]] = tv
		}
		tv.Columns = append(tv.Columns, dialects.PayloadColumn{Field: s[2], Column: s[3], Type: s[4]})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read payload_columns: %w", err)
	}
	out := make([]TypedView, 0, len(byView))
	for _, v := range byView {
		sort.Slice(v.Columns, func(i, j int) bool { return v.Columns[i].Column < v.Columns[j].Column })
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// text is a scanned value as text: engines hand strings back as string or
// []byte.
func text(x any) string {
	switch v := x.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	}
	return fmt.Sprint(x)
}
