package dialects

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// BQParam is one query parameter: Value is a []string, []int64 or
// []time.Time, which the client sends as ARRAY<STRING>, ARRAY<INT64> or
// ARRAY<TIMESTAMP>.
type BQParam struct {
	Name  string
	Value any
}

// BQArrays holds a batch's arrays (files, ledger rows, run rows; all of one
// length, one element per object) as query parameters, for StageArrays: one
// parallel array per struct field and one of null flags per array, zipped by
// offset into the rows of a table. So the batch's values never enter the
// query text, whose size no longer grows with the file count. Not
// array-of-struct parameters, which the emulator reads as STRING; not
// parameters of the script itself, which the emulator hands to every
// statement of it, failing each that names none; and a flat table, not
// array columns, whose TIMESTAMP fields the emulator reads back as STRING.
type BQArrays struct {
	Params []BQParam
	cols   []string            // StageArrays' select items
	reads  map[string][]string // array: its struct's fields, from the table
	n      int
	bytes  int
}

// Bytes estimates the parameters' size in the query request (JSON): the
// values plus about 16 bytes of framing each.
func (a *BQArrays) Bytes() int { return a.bytes }

// AddArray adds rows as the array of that name; typ is ARRAY<STRUCT<...>>
// and each row holds its fields' values in order: nil (NULL), string, int,
// int64 or time.Time, as the field's type (STRING, INT64, TIMESTAMP) wants.
// Every array of a batch has as many rows as the first.
func (d BigQuery) AddArray(a *BQArrays, column, typ string, rows [][]any) {
	if a.reads == nil {
		a.reads, a.n = map[string][]string{}, len(rows)
	}
	if len(rows) != a.n {
		panic("dialects: a batch's arrays differ in length")
	}
	body := strings.TrimSuffix(strings.TrimPrefix(typ, "ARRAY<STRUCT<"), ">>")
	fields := strings.Split(body, ", ")
	nulls := make([]string, len(rows))
	null := make([]byte, len(fields))
	for i, r := range rows {
		for j, v := range r {
			null[j] = '0'
			if v == nil {
				null[j] = '1'
			}
		}
		nulls[i] = string(null)
		a.bytes += len(null) + 16
	}
	z := column + "_nulls"
	a.Params = append(a.Params, BQParam{Name: z, Value: nulls})
	for j, f := range fields {
		name, ftype, _ := strings.Cut(f, " ")
		p := column + "_" + strconv.Itoa(j)
		a.Params = append(a.Params, BQParam{Name: p, Value: d.column(a, ftype, rows, j)})
		// The CAST is a no-op on BigQuery; the emulator hands an element of
		// an ARRAY<TIMESTAMP> parameter over as STRING.
		a.cols = append(a.cols, fmt.Sprintf("CAST(IF(SUBSTR(@%s[OFFSET(o)], %d, 1) = '1', NULL, @%s[OFFSET(o)]) AS %s) AS %s",
			z, j+1, p, ftype, p))
		a.reads[column] = append(a.reads[column], p+" AS "+name)
	}
}

// column returns field j of every row as a typed slice; a NULL is the zero
// value, masked by the null flags.
func (d BigQuery) column(a *BQArrays, ftype string, rows [][]any, j int) any {
	switch ftype {
	case "STRING":
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i], _ = r[j].(string)
			a.bytes += len(out[i]) + 16
		}
		return out
	case "INT64":
		out := make([]int64, len(rows))
		for i, r := range rows {
			switch x := r[j].(type) {
			case int:
				out[i] = int64(x)
			case int64:
				out[i] = x
			}
			a.bytes += 36
		}
		return out
	case "TIMESTAMP":
		out := make([]time.Time, len(rows))
		for i, r := range rows {
			if t, ok := r[j].(time.Time); ok {
				out[i] = t.UTC()
			}
			a.bytes += 48
		}
		return out
	}
	panic("dialects: no BigQuery array parameter for " + ftype)
}

// StageArrays renders the one statement that writes the arrays into table,
// one row per offset o. It expires within a day should nothing drop it. Its
// parameters are a.Params; run it alone, not in a script.
func (d BigQuery) StageArrays(dataset, table string, a *BQArrays) string {
	return "CREATE TABLE " + d.Table(dataset, table) +
		"\nOPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 DAY))\nAS SELECT o,\n  " +
		strings.Join(a.cols, ",\n  ") + "\nFROM UNNEST(GENERATE_ARRAY(0, " + strconv.Itoa(a.n-1) + ")) o"
}

// ConcatArrays is the array of a's elements, then b's (arrays of one type).
func (BigQuery) ConcatArrays(a, b string) string { return "ARRAY_CONCAT(" + a + ", " + b + ")" }

// StagedArray reads one array back from StageArrays' table, for BQBatch.
func (d BigQuery) StagedArray(dataset, table string, a *BQArrays, column string) string {
	return "(SELECT ARRAY_AGG(STRUCT(" + strings.Join(a.reads[column], ", ") + ") ORDER BY o) FROM " +
		d.Table(dataset, table) + ")"
}
