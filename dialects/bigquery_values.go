package dialects

import (
	"strconv"
	"strings"
	"time"
)

// BQBatch holds what a script reads of its batch: the files (FilesType), the
// ledger rows (LedgerType), the run rows, each an expression reading them back
// from the table StageArrays filled with query parameters (StagedArray), and
// the payload_columns rows (an Array literal: one per view column, not per
// file). The script itself takes no parameters: the emulator hands a
// script's parameters to every statement in it.
type BQBatch struct {
	Files, Ledger, Runs, Columns string
	// LoadedAt is the _loaded_at literal (Value of a time); Syncs an ARRAY<STRING> literal.
	LoadedAt, Syncs string
}

// Array renders a typed array literal of structs, one tuple per row, values
// in the struct's field order; typ is ARRAY<STRUCT<...>> with two or more
// fields. Values are nil (NULL), string, int, int64, bool or time.Time.
func (d BigQuery) Array(typ string, rows [][]any) string {
	var b strings.Builder
	b.WriteString(typ)
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Value(v))
		}
		b.WriteString(")")
	}
	b.WriteString("]")
	return b.String()
}

// Value renders one value as a literal.
func (d BigQuery) Value(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return d.String(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return "TIMESTAMP " + d.String(x.UTC().Format("2006-01-02 15:04:05.999999+00"))
	}
	panic("dialects: no BigQuery literal for this value type")
}

// StringArray renders an ARRAY<STRING> literal.
func (d BigQuery) StringArray(ss []string) string {
	lits := make([]string, len(ss))
	for i, s := range ss {
		lits[i] = d.String(s)
	}
	return "ARRAY<STRING>[" + strings.Join(lits, ", ") + "]"
}

// Declare moves the batch's arrays into script variables and returns their
// DECLARE statements, which must open the script: each array is read from its
// table once however many statements read it (the ledger array is read six
// times). Fields left empty are not declared.
func (d BigQuery) Declare(in *BQBatch) []string {
	var out []string
	for _, v := range []struct {
		field *string
		name  string
	}{{&in.Files, "_st_files"}, {&in.Ledger, "_st_ledger"}, {&in.Runs, "_st_runs"}, {&in.Columns, "_st_columns"}} {
		if *v.field == "" {
			continue
		}
		out = append(out, "DECLARE "+v.name+" DEFAULT "+*v.field)
		*v.field = v.name
	}
	return out
}
