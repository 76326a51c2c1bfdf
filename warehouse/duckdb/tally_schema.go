package duckdb

import (
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/synctrack/synctrack/warehouse"
)

// columns of a records file the counts read, as insertRecordsSQL names them.
const (
	colStatus = iota
	colMessage
	colStarted
	colEnded
	colSync
	colRun
	colOrg
	nCols
)

var countColumns = [nCols]string{"status", "status_message", "batch_started_at", "batch_ended_at",
	"sync_configuration_id", "sync_run_id", "org_id"}

// leaf is a column the counts read: its index among the file's leaves, and
// for a timestamp the micros per unit (0: nanoseconds).
type leaf struct {
	index  int
	maxDef int
	unit   int64
	kind   uint8 // for a timestamp: 1 in ms or us, 2 in ns adjusted to UTC, 4 in ns local
	ok     bool
}

// countLeaves finds the counts' columns among the file's top-level fields,
// matched without regard to case as DuckDB's union_by_name matches them;
// errNoTally for a type whose CAST this file does not reproduce.
func countLeaves(s *parquet.Schema) ([nCols]leaf, error) {
	var out [nCols]leaf
	index := 0
	for _, f := range s.Fields() {
		leaves := warehouse.LeafCount(f)
		for k, name := range countColumns {
			if warehouse.ASCIILower(f.Name()) != name {
				continue
			}
			if out[k].ok || !f.Leaf() || f.Repeated() {
				return out, errNoTally
			}
			l := leaf{index: index, ok: true}
			if f.Optional() {
				l.maxDef = 1
			}
			text, unit, adjusted := leafKind(f.Type())
			switch {
			case (k == colStarted || k == colEnded) && unit >= 0:
				l.unit, l.kind = unit, 1
				if unit == 0 && adjusted {
					l.kind = 2
				} else if unit == 0 {
					l.kind = 4
				}
			case k != colStarted && k != colEnded && text:
			default:
				return out, errNoTally
			}
			out[k] = l
		}
		index += leaves
	}
	return out, nil
}

// leafKind says whether t is a string (DuckDB reads it as VARCHAR) and,
// for an int64 timestamp, its micros per unit (0 for nanoseconds, -1 for
// anything else).
func leafKind(t parquet.Type) (text bool, unit int64, adjusted bool) {
	if t.Kind() == parquet.ByteArray {
		if l := t.LogicalType(); l != nil {
			_, str := l.Value.(*format.StringType)
			return str, -1, false
		}
		if ct := t.ConvertedType(); ct != nil && *ct == deprecated.UTF8 && t.LogicalType() == nil {
			return true, -1, false
		}
		return false, -1, false
	}
	if t.Kind() != parquet.Int64 {
		return false, -1, false
	}
	if l := t.LogicalType(); l != nil {
		ts, ok := l.Value.(*format.TimestampType)
		if !ok || ts.Unit.Value == nil {
			return false, -1, false
		}
		switch ts.Unit.Value.Duration() {
		case time.Millisecond:
			return false, 1000, ts.IsAdjustedToUTC
		case time.Microsecond:
			return false, 1, ts.IsAdjustedToUTC
		case time.Nanosecond:
			return false, 0, ts.IsAdjustedToUTC
		}
		return false, -1, false
	}
	if ct := t.ConvertedType(); ct != nil && t.LogicalType() == nil {
		switch *ct {
		case deprecated.TimestampMillis:
			return false, 1000, true
		case deprecated.TimestampMicros:
			return false, 1, true
		}
	}
	return false, -1, false
}

// sameStampKind says a batch whose files' timestamp column has the leaf
// kinds k (leaf.kind, or-ed) reads it as this file does: nanoseconds only
// when every file has them, with the same UTC adjustment.
func sameStampKind(k uint8) bool { return k&6 == 0 || k == 2 || k == 4 }

// Micros since 1970 of 0001-01-01 and 10000-01-01: a timestamp outside them
// is left to the SQL pass (DuckDB has its own rules out there).
const (
	minMicros = -62135596800_000_000
	maxMicros = 253402300800_000_000
)

// toMicros is a timestamp of unit as DuckDB's CAST to TIMESTAMPTZ stores it;
// false where this file does not know that exactly.
func toMicros(v int64, unit int64) (int64, bool) {
	switch {
	case unit == 0:
		if v < 0 && v%1000 != 0 {
			return 0, false // which way DuckDB rounds before 1970 is its own
		}
		v /= 1000
	case unit == 1000:
		if v < minMicros/1000 || v >= maxMicros/1000 {
			return 0, false
		}
		v *= 1000
	}
	return v, minMicros <= v && v < maxMicros
}
