package warehouse

import (
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// RecordFileColumns are the vendor's documented columns of a records file;
// anything else a file holds goes to _extra, as JSON.
var RecordFileColumns = map[string]bool{
	"identifier": true, "record_payload": true, "operation": true, "status": true,
	"status_message": true, "batch_started_at": true, "batch_ended_at": true,
	"sync_configuration_id": true, "sync_run_id": true, "org_id": true,
}

// RecordsShape says which columns of a records file have a type that must
// not be read in one statement with another file's: "" for a file whose
// columns are all of the kinds every writer uses (text or integers for the
// documented columns, which are read as text; instants or dates for
// batch_started_at and batch_ended_at; text for any other column, whose
// value _extra keeps as it is: an integer there is odd, so that one beside
// text does not come as text), else each odd column's lowered name and
// type, sorted, each part ended by a NUL byte
// (which no column name has: CheckColumnName); ShapeColumns reads it.
//
// DuckDB reads a batch with read_parquet(union_by_name = true), which gives
// each column one type for all the files, and casts the others' values to
// it: one file whose identifier is a UUID makes DuckDB cast every other
// file's identifiers to UUID, and the error names the file it could not
// cast, a good one, which then fails in the bad file's stead (and, failing
// on every load, is quarantined). A BLOB, a DOUBLE or a BOOLEAN beside
// text or integers changes their values instead, silently (UTF-8 text read
// back with \x escapes, identifiers rounded, true as 1). Files of one shape
// are read together; an odd file only with files odd the same way.
func RecordsShape(pf *parquet.File) (shape string) {
	// parquet-go's types panic on some questions (Kind of a leaf annotated
	// LIST): such a file is odd, alone in its shape.
	defer func() {
		if recover() != nil {
			shape = "\x00unreadable\x00"
		}
	}()
	var odd []string
	for _, f := range pf.Schema().Fields() {
		name := ASCIILower(f.Name())
		instant := name == "batch_started_at" || name == "batch_ended_at"
		if !f.Leaf() || f.Repeated() || !plainKind(f.Type(), instant, RecordFileColumns[name]) {
			odd = append(odd, name+"\x00"+describe(f)+"\x00")
		}
	}
	sort.Strings(odd)
	return strings.Join(odd, "")
}

// ShapeColumns reads a RecordsShape back: each odd column's lowered name
// and type.
func ShapeColumns(shape string) map[string]string {
	m := map[string]string{}
	parts := strings.Split(strings.TrimSuffix(shape, "\x00"), "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		m[parts[i]] = parts[i+1]
	}
	return m
}

// plainKind says t is text (or, for a documented column, an integer), or,
// for an instant column, a timestamp (any unit, with or without a zone,
// INT96 included) or a date: kinds DuckDB unites without changing a value.
// A type known only by its converted type (older writers) counts too.
func plainKind(t parquet.Type, instant, documented bool) bool {
	var lv format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		lv = lt.Value
	}
	ct := deprecated.ConvertedType(-1)
	if c := t.ConvertedType(); c != nil {
		ct = *c
	}
	pt := t.PhysicalType() // not Kind: it panics on a leaf annotated LIST
	if pt == nil {
		return false
	}
	switch *pt {
	case format.ByteArray:
		if instant {
			return false
		}
		switch lv.(type) {
		case *format.StringType, *format.EnumType:
			return true
		}
		return lv == nil && (ct == deprecated.UTF8 || ct == deprecated.Enum)
	case format.Int32, format.Int64:
		if !instant && !documented {
			return false
		}
		if instant {
			switch lv.(type) {
			case *format.TimestampType, *format.DateType:
				return true
			}
			return lv == nil && (ct == deprecated.TimestampMillis || ct == deprecated.TimestampMicros || ct == deprecated.Date)
		}
		if _, ok := lv.(*format.IntType); ok {
			return true
		}
		return lv == nil && (ct == -1 || ct >= deprecated.Uint8 && ct <= deprecated.Int64)
	case format.Int96:
		return instant
	}
	return false
}

// describe is a field's type as text, groups with their fields: only
// compared, never parsed.
func describe(n parquet.Node) string {
	var b strings.Builder
	switch {
	case n.Repeated():
		b.WriteString("repeated ")
	case n.Optional():
		b.WriteString("optional ")
	}
	if n.Leaf() {
		if pt := n.Type().PhysicalType(); pt != nil {
			b.WriteString(pt.String())
		}
		if lt := n.Type().LogicalType(); lt != nil {
			b.WriteString(" " + lt.String())
		}
		return b.String()
	}
	b.WriteString("group")
	if lt := n.Type().LogicalType(); lt != nil {
		b.WriteString(" " + lt.String())
	}
	b.WriteString(" {")
	for i, f := range n.Fields() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(ASCIILower(f.Name()) + " " + describe(f))
	}
	b.WriteString("}")
	return b.String()
}

// ASCIILower lowers A-Z only, as DuckDB matches column names: Unicode's
// lowering would take "org_İd" for org_id, which DuckDB does not.
func ASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// LeafCount is how many leaf columns n spans: a top-level field's first
// leaf index is the sum of LeafCount over the fields before it, nested
// ones included, which is how column chunks are numbered.
func LeafCount(n parquet.Node) int {
	if n.Leaf() {
		return 1
	}
	c := 0
	for _, f := range n.Fields() {
		c += LeafCount(f)
	}
	return c
}
