package bigquery

import (
	"sort"
	"strings"

	"github.com/synctrack/synctrack/dialects"
)

// maxViewQuery is the longest query a BigQuery view may be defined by
// (BigQuery's quotas, "view limits": 256 K characters), counted here in
// bytes, never fewer. A typed view reads each field by its name twice, so
// 1,500 fields (dialects.MaxViewFields) named with 100 characters make
// some 400 K: BigQuery refused the view, and with it the refresh of every
// sync in the load.
const maxViewQuery = 256_000

// fitView keeps the first of a sync's typed columns whose view BigQuery
// takes: those it already had come first (warehouse.TypedColumns), so a
// new field is what is left out. Fields left out keep their values in
// record_payload, as past dialects.MaxViewFields; the warning names the
// sync and the first field left out.
func (w *Warehouse) fitView(syncID, view string, base []string, cols []dialects.PayloadColumn) []dialects.PayloadColumn {
	size := func(n int) int {
		_, body, _ := strings.Cut(w.d.TypedView(w.c.Dataset, view, syncID, base, cols[:n]), " AS\n")
		return len(body)
	}
	if size(len(cols)) <= maxViewQuery {
		return cols
	}
	n := sort.Search(len(cols), func(n int) bool { return size(n+1) > maxViewQuery })
	first := cols[n].Field
	if len(first) > 100 {
		first = strings.ToValidUTF8(first[:100], "") + "..."
	}
	w.log.Warn("typed view too long for BigQuery (256 K characters): fields left out; their values stay in record_payload",
		"sync", syncID, "view", view, "kept", n, "left_out", len(cols)-n, "first", first)
	return cols[:n]
}
