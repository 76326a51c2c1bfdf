package warehouse

import (
	"log/slog"

	"github.com/synctrack/synctrack/dialects"
)

// TypedColumns gives a sync's typed view its payload columns: the union of
// its runs' fields, bounded by dialects.MaxViewFields, named by
// dialects.AssignColumns. Fields past the bound are left out of the view, not
// its failure, and said at warn level with the sync.
func TypedColumns(log *slog.Logger, syncID string, existing []dialects.PayloadColumn, fields map[string]string, base []string) []dialects.PayloadColumn {
	fields, left := dialects.CapFields(existing, fields)
	if len(left) > 0 && log != nil {
		log.Warn("typed view full: fields left out; their values stay in record_payload",
			"sync", syncID, "left_out", len(left), "first", left[0], "max_fields", dialects.MaxViewFields)
	}
	return dialects.AssignColumns(existing, fields, base)
}
