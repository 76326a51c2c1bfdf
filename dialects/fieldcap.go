package dialects

import "sort"

// MaxViewFields bounds the payload columns of a sync's typed view.
// PostgreSQL allows 1,600 columns in a view, and the view also has
// sync_records' 16; BigQuery allows 10,000. DuckDB sets no limit, but its
// catalog makes every later load slow past a few thousand. 1,500 fits every
// engine, with room for more base columns, and is far beyond any real
// model's fields.
const MaxViewFields = 1500

// MaxFieldNameBytes bounds the name of a field that gets a column. The view
// reads the field by its name in every cell (PostgreSQL's number cast names
// it some 20 times), so the view's SQL grows with the names' length: 1,499
// names of 10,000 bytes, one 15 MB metadata.json, made 300 MB of SQL that
// PostgreSQL ran out of memory on; at 1,024 bytes it is 32 MB and builds. No
// column of a source model or a destination is named with more than a few
// hundred characters.
const MaxFieldNameBytes = 1024

// CapFields bounds the union of a sync's payload schemas to what its typed
// view can hold. Fields that already have a column keep it; new fields are
// taken in bytewise order of name while the view has room, except those
// with a name longer than MaxFieldNameBytes. It returns the fields to give
// AssignColumns and, sorted, those left out (their values stay in
// record_payload). Each run's schema is bounded when it is loaded, but a
// sync's runs may each name other fields.
func CapFields(existing []PayloadColumn, fields map[string]string) (map[string]string, []string) {
	have := make(map[string]bool, len(existing))
	for _, c := range existing {
		have[c.Field] = true
	}
	var fresh, left []string
	for f := range fields {
		switch {
		case have[f]:
		case len(f) > MaxFieldNameBytes:
			left = append(left, f)
		default:
			fresh = append(fresh, f)
		}
	}
	room := max(MaxViewFields-len(have), 0)
	if len(fresh) <= room && len(left) == 0 {
		return fields, nil
	}
	sort.Strings(fresh)
	if len(fresh) > room {
		fresh, left = fresh[:room], append(left, fresh[room:]...)
	}
	kept := make(map[string]string, len(fields)-len(left))
	for f, t := range fields {
		if have[f] {
			kept[f] = t
		}
	}
	for _, f := range fresh {
		kept[f] = fields[f]
	}
	sort.Strings(left)
	return kept, left
}
