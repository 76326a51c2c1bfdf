package warehouse

import (
	"log/slog"
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// TypedColumns gives a sync's typed view its payload columns: the union of
// its runs' fields, bounded by dialects.MaxViewFields and
// dialects.MaxFieldNameBytes, named by dialects.AssignColumns. Fields past
// the bounds are left out of the view, not its failure, and said at warn
// level with the sync (the first one's name cut to 100 bytes: it may be
// megabytes).
func TypedColumns(log *slog.Logger, syncID string, existing []dialects.PayloadColumn, fields map[string]string, base []string) []dialects.PayloadColumn {
	fields, left := dialects.CapFields(existing, fields)
	if len(left) > 0 && log != nil {
		first := left[0]
		if len(first) > 100 {
			first = strings.ToValidUTF8(first[:100], "") + "..."
		}
		log.Warn("typed view full, or field names too long: fields left out; their values stay in record_payload",
			"sync", syncID, "left_out", len(left), "first", first,
			"max_fields", dialects.MaxViewFields, "max_name_bytes", dialects.MaxFieldNameBytes)
	}
	return dialects.AssignColumns(existing, fields, base)
}
