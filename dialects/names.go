package dialects

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// maxNameLen bounds generated names. Postgres-like engines cut identifiers at
// 63 bytes; 60 leaves room for those and for the longest suffix we add.
const maxNameLen = 60

// PayloadColumn maps one record_payload field to a column of a typed view.
type PayloadColumn struct {
	Field  string // the field name as written in metadata.json
	Column string // the sanitized, unique column name
	Type   string // string, number, boolean or json
}

// AssignColumns gives each field a column name. fields maps field name to JSON
// type as in metadata.json. reserved are names the view already uses (its base
// columns), compared case-insensitively, as the engines compare them.
//
// existing are the assignments already made for this sync. They are kept as
// they are, so adding a field never renames a published column, except that
// an existing column's Type is widened to json when fields gives it another
// type (one view must serve runs written under both schemas). Fields missing
// from fields keep their column: older runs may still hold them. The one
// rename: an existing column whose name is now reserved (a base column added
// since) or already used by an earlier entry is named again like a new field,
// since a duplicate column would break the view.
//
// New fields are named in bytewise order of field name, so the outcome does
// not depend on map order: the candidate is SanitizeName(field), with "_f"
// appended when that is an SQL keyword of some engine (IsKeyword), then
// candidate_2, candidate_3, ... until no existing, reserved or earlier column
// has that name. The result is sorted by Column; no two Columns are equal,
// even ignoring case.
func AssignColumns(existing []PayloadColumn, fields map[string]string, reserved []string) []PayloadColumn {
	taken := make(map[string]bool, len(existing)+len(fields)+len(reserved))
	for _, r := range reserved {
		taken[strings.ToLower(r)] = true
	}
	out := make([]PayloadColumn, 0, len(existing)+len(fields))
	known := make(map[string]bool, len(existing))
	pending := make(map[string]string, len(fields)) // field -> type, still to name
	for _, c := range existing {
		if known[c.Field] {
			continue // a field can have one column; keep its first assignment
		}
		if t, ok := fields[c.Field]; ok && NormalizeType(t) != c.Type {
			c.Type = "json"
		}
		if k := strings.ToLower(c.Column); c.Column == "" || taken[k] {
			pending[c.Field] = c.Type
			continue
		}
		known[c.Field] = true
		delete(pending, c.Field) // a later, sound entry for a displaced field
		taken[strings.ToLower(c.Column)] = true
		out = append(out, c)
	}
	for f, t := range fields {
		if _, ok := pending[f]; !ok && !known[f] {
			pending[f] = NormalizeType(t)
		}
	}

	names := make([]string, 0, len(pending))
	for f := range pending {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		base := SanitizeName(f)
		if IsKeyword(base) {
			base += "_f" // "select" cannot be typed unquoted on any engine; "select_f" can
		}
		col := freeName(base, taken)
		taken[col] = true
		out = append(out, PayloadColumn{Field: f, Column: col, Type: pending[f]})
	}

	sort.Slice(out, func(i, j int) bool { return out[i].Column < out[j].Column })
	return out
}

// freeName returns base, or base_N with the smallest N >= 2 that is not taken.
// base is shortened first so that the suffixed name still fits maxNameLen.
func freeName(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for n := 2; ; n++ {
		suffix := "_" + strconv.Itoa(n)
		stem := base[:min(len(base), maxNameLen-len(suffix))]
		stem = strings.TrimRight(stem, "_") // "f_" gives f_2, not f__2
		if c := stem + suffix; !taken[c] {
			return c
		}
	}
}

// SanitizeName turns an untrusted field name into a plain lower-case
// identifier: anything outside [a-z0-9_] becomes _, runs of _ collapse, leading
// and trailing _ go, "f_" is prefixed when the result is empty or starts with a
// digit, and the result is cut to 60 bytes. Plain names need no quoting for
// users typing queries by hand; we still quote them when rendering SQL.
func SanitizeName(s string) string {
	s = clean(s, maxNameLen)
	if s == "" {
		return "f_"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = strings.TrimRight(("f_" + s)[:min(len(s)+2, maxNameLen)], "_")
	}
	return s
}

// clean lower-cases s, maps bytes outside [a-z0-9_] to _, collapses and trims
// _ and cuts the result to at most n bytes. Every byte of a multi-byte UTF-8
// character maps to _, and the run collapses, so one non-ASCII letter gives one _.
func clean(s string, n int) string {
	var b strings.Builder
	b.Grow(min(len(s), n))
	under := false
	for i := 0; i < len(s) && b.Len() < n; i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			under = true
			continue
		}
		if under && b.Len() > 0 {
			if b.Len() >= n-1 {
				break // no room for _ and a byte after it: never glue words together
			}
			b.WriteByte('_')
		}
		under = false
		b.WriteByte(c)
	}
	return b.String()
}

// NormalizeType maps a metadata.json type name, in any case, to string,
// number, boolean or json. Arrays, objects, null and names we do not know all
// become json, which keeps the value intact instead of guessing a cast.
func NormalizeType(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "string", "text", "varchar":
		return "string"
	case "number", "integer", "int", "float", "double", "decimal", "numeric":
		return "number"
	case "boolean", "bool":
		return "boolean"
	}
	return "json"
}

// ViewName returns the name of the typed view of one sync configuration.
// An id that is already a plain name (lower-case letters, digits, single
// underscores inside) is used as it is, so numeric ids give sync_records_123.
// Any other id is cleaned and followed by 8 hex digits of its SHA-256, so two
// ids that clean to the same text (a-b, a_b, A-B) still get different views.
func ViewName(syncID string) string {
	const prefix = "sync_records_"
	if c := clean(syncID, maxNameLen); c == syncID && c != "" {
		return prefix + c
	}
	sum := sha256.Sum256([]byte(syncID))
	c := clean(syncID, maxNameLen-9)
	if c == "" {
		return prefix + hex.EncodeToString(sum[:4])
	}
	return prefix + c + "_" + hex.EncodeToString(sum[:4])
}

// ViewNameWithin is the name of the n-th typed view (from 1) a sync's id
// may take, ViewName's (with "_n" after it for n > 1, when an earlier
// sync has it), in at most limit bytes: an engine that cuts longer names
// (PostgreSQL at 63) would otherwise give two syncs whose ids share their
// first 50 bytes one view. A name too long is cut, followed by 8 hex
// digits of the id's SHA-256 as ViewName's of an id not plain are.
func ViewNameWithin(syncID string, n, limit int) string {
	suffix := ""
	if n > 1 {
		suffix = "_" + strconv.Itoa(n)
	}
	if v := ViewName(syncID) + suffix; len(v) <= limit {
		return v
	}
	const prefix = "sync_records_"
	sum := sha256.Sum256([]byte(syncID))
	c := strings.TrimRight(clean(syncID, max(limit-len(prefix)-9-len(suffix), 0)), "_")
	if c == "" {
		return prefix + hex.EncodeToString(sum[:4]) + suffix
	}
	return prefix + c + "_" + hex.EncodeToString(sum[:4]) + suffix
}
