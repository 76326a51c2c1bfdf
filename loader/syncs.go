package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// LoadedSyncs are the sync ids of every loaded metadata.json, sorted.
func LoadedSyncs(ctx context.Context, w warehouse.Warehouse) ([]string, error) {
	rs, err := w.Query(ctx, "SELECT DISTINCT sync_configuration_id FROM "+w.Dialect().Table(w.Schema(), "sync_runs")+
		" WHERE sync_configuration_id IS NOT NULL", nil)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var v any
		if err := rs.Scan(&v); err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, textOf(v))
		}
	}
	sort.Strings(out)
	return out, rs.Err()
}

// UnbuiltViews are the loaded syncs whose typed view no refresh has built:
// their runs' payload schemas name fields, and payload_columns, which every
// refresh fills for the syncs it builds, has no row of theirs. A load cut
// short between its runs' commit and its refresh leaves them so (and, when
// it was the warehouse's first, no analysis view either); a sync whose
// schemas name no field is never among them, so it is not rebuilt on every
// load. One query, over sync_runs and payload_columns.
func UnbuiltViews(ctx context.Context, w warehouse.Warehouse) ([]string, error) {
	d, s := w.Dialect(), w.Schema()
	rs, err := w.Query(ctx, "SELECT r.sync_configuration_id, r.payload_schema FROM "+d.Table(s, "sync_runs")+" r"+
		" WHERE r.sync_configuration_id IS NOT NULL AND r.payload_schema IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "+d.Table(s, "payload_columns")+" p"+
		" WHERE p.sync_configuration_id = r.sync_configuration_id)", nil)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	seen := map[string]bool{}
	for rs.Next() {
		var id, schema any
		if err := rs.Scan(&id, &schema); err != nil {
			return nil, err
		}
		if sid := textOf(id); sid != "" && namesFields(schema) {
			seen[sid] = true
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// textOf is an id as an engine returns it (text, bytes or a number), ""
// for NULL.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// namesFields says whether a payload_schema value, as an engine returns it
// (JSON text, or a decoded object), names a field a typed view takes: one
// whose name is not past dialects.MaxFieldNameBytes, which the refresh
// leaves out (a sync with only such fields has no payload_columns row once
// built, and was rebuilt and warned about on every load).
func namesFields(v any) bool {
	m, ok := v.(map[string]any)
	if !ok && json.Unmarshal([]byte(textOf(v)), &m) != nil {
		return false
	}
	for f := range m {
		if len(f) <= dialects.MaxFieldNameBytes {
			return true
		}
	}
	return false
}
