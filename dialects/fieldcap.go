package dialects

import "sort"

// MaxViewFields bounds the payload columns of a sync's typed view.
// PostgreSQL allows 1,600 columns in a view, and the view also has
// sync_records' 16; BigQuery allows 10,000. DuckDB sets no limit, but its
// catalog makes every later load slow past a few thousand. 1,500 fits every
// engine, with room for more base columns, and is far beyond any real
// model's fields.
const MaxViewFields = 1500

// CapFields bounds the union of a sync's payload schemas to what its typed
// view can hold. Fields that already have a column keep it; new fields are
// taken in bytewise order of name while the view has room. It returns the
// fields to give AssignColumns and, sorted, those left out (their values
// stay in record_payload). Each run's schema is bounded when it is loaded,
// but a sync's runs may each name other fields.
func CapFields(existing []PayloadColumn, fields map[string]string) (map[string]string, []string) {
	have := make(map[string]bool, len(existing))
	for _, c := range existing {
		have[c.Field] = true
	}
	var fresh []string
	for f := range fields {
		if !have[f] {
			fresh = append(fresh, f)
		}
	}
	room := max(MaxViewFields-len(have), 0)
	if len(fresh) <= room {
		return fields, nil
	}
	sort.Strings(fresh)
	kept := make(map[string]string, len(fields)-len(fresh)+room)
	for f, t := range fields {
		if have[f] {
			kept[f] = t
		}
	}
	for _, f := range fresh[:room] {
		kept[f] = fields[f]
	}
	return kept, fresh[room:]
}
