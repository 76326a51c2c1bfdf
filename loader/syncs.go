package loader

import (
	"context"
	"fmt"
	"sort"

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
		switch x := v.(type) {
		case nil:
		case string:
			out = append(out, x)
		case []byte:
			out = append(out, string(x))
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	sort.Strings(out)
	return out, rs.Err()
}
