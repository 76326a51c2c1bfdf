package dialects

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxCopyFiles is the most files one COPY INTO may list in FILES = (...).
const MaxCopyFiles = 1000

// ParquetFormat is how every statement reads the bucket's parquet files
// (COPY, the external table, the stage), per the PARQUET options of
// https://docs.snowflake.com/en/sql-reference/sql/create-file-format:
//
//   - USE_LOGICAL_TYPE = TRUE: "Snowflake can interpret Parquet logical types
//     during data loading". Without it a TIMESTAMP(isAdjustedToUTC=true,
//     MILLIS|MICROS) column reads as TIMESTAMP_NTZ and one without a
//     ConvertedType, or in NANOS, as a bare INTEGER; with it UTC-adjusted
//     timestamps read as TIMESTAMP_LTZ (the instant) and the others as
//     TIMESTAMP_NTZ, which the session's TIMEZONE (UTC, see ParseURL) makes
//     UTC, as on DuckDB.
//   - REPLACE_INVALID_CHARACTERS = TRUE: "Snowflake replaces invalid UTF-8
//     characters with the Unicode replacement character"; with FALSE "the
//     load operation produces an error", and a query of an external table
//     silently "omits results for records that contain invalid UTF-8 data"
//     (https://docs.snowflake.com/en/release-notes/bcr-bundles/un-bundled/bcr-1013-1014).
//     So bad strings load as U+FFFD, as DuckDB's repair does. A records COPY
//     is strict (StrictFormat) so that a file holding them is skipped and
//     named; the loader counts its bad values and copies it again with this
//     format (Copy.StrictText false), so the ledger can say how many.
const ParquetFormat = "FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE REPLACE_INVALID_CHARACTERS = TRUE)"

// StrictFormat is ParquetFormat refusing strings that are not UTF-8.
const StrictFormat = "FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE REPLACE_INVALID_CHARACTERS = FALSE)"

// Literal renders a Go value as a Snowflake constant: nil is NULL, strings go
// through String, times are ISO 8601 text in UTC (cast where they are used).
func (d Snowflake) Literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return d.String(x)
	case *string:
		if x == nil {
			return "NULL"
		}
		return d.String(*x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case *int64:
		if x == nil {
			return "NULL"
		}
		return strconv.FormatInt(*x, 10)
	case time.Time:
		return d.String(x.UTC().Format(time.RFC3339Nano))
	case *time.Time:
		if x == nil {
			return "NULL"
		}
		return d.String(x.UTC().Format(time.RFC3339Nano))
	}
	panic(fmt.Sprintf("dialects: no Snowflake literal for %T", v))
}

// Values renders VALUES (...), (...) with one row per line.
func (d Snowflake) Values(rows [][]any) string {
	var b strings.Builder
	b.WriteString("VALUES")
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  (")
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Literal(v))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// In renders col IN ('k1', 'k2', ...); FALSE for no keys (IN () is no SQL).
func (d Snowflake) In(col string, keys []string) string {
	if len(keys) == 0 {
		return "FALSE"
	}
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = d.String(k)
	}
	return d.Ident(col) + " IN (" + strings.Join(q, ", ") + ")"
}

// NoIdentifier renders a query for the files among keys whose rows COPY
// just loaded without one identifier: a file without the column (COPY,
// matching columns by name, leaves it NULL), which fails as on every engine.
func (d Snowflake) NoIdentifier(schema string, keys []string) string {
	return "SELECT " + d.Ident("_file") + " FROM " + d.Table(schema, "sync_records") + " WHERE " + d.In("_file", keys) +
		" GROUP BY " + d.Ident("_file") + " HAVING COUNT(" + d.Ident("identifier") + ") = 0"
}

// DeleteFiles renders the DELETE of the rows loaded from keys.
func (d Snowflake) DeleteFiles(schema, table string, keys []string) string {
	return "DELETE FROM " + d.Table(schema, table) + " WHERE " + d.In("_file", keys)
}

// Copy is one COPY INTO from the stage.
type Copy struct {
	Schema, Table string
	Stage         []string // the stage's (dotted) name
	Keys          []string // object keys, relative to the stage (its URL is the bucket root)
	Metadata      [][2]string
	Force         bool // reload files COPY's load history says are loaded
	// SkipFiles loads the readable files and reports the others LOAD_FAILED
	// in COPY's result (ON_ERROR = SKIP_FILE), instead of failing the whole
	// statement on the first bad file (ABORT_STATEMENT).
	SkipFiles bool
	// StrictText refuses strings that are not UTF-8 (StrictFormat) instead
	// of replacing their bad bytes with U+FFFD uncounted.
	StrictText bool
}

// RecordsMetadata are the columns COPY fills from the file, not its contents.
var RecordsMetadata = [][2]string{{"_file", "METADATA$FILENAME"}, {"_row", "METADATA$FILE_ROW_NUMBER"}, {"_loaded_at", "METADATA$START_SCAN_TIME"}}

// FactMetadata are the columns COPY fills for a fact table.
var FactMetadata = [][2]string{{"_file", "METADATA$FILENAME"}, {"_loaded_at", "METADATA$START_SCAN_TIME"}}

// CopyInto renders COPY INTO for at most MaxCopyFiles files. Columns are matched
// by name, whatever their case or order; columns a file lacks stay NULL, and a
// table with schema evolution gains the columns a file adds. One bad file
// aborts the statement (the caller's transaction keeps nothing of it), or
// with SkipFiles is skipped whole and named in the result.
func (d Snowflake) CopyInto(c Copy) string {
	if len(c.Keys) > MaxCopyFiles {
		panic("dialects: COPY INTO lists at most 1000 files")
	}
	files := make([]string, len(c.Keys))
	for i, k := range c.Keys {
		files[i] = d.String(k)
	}
	meta := make([]string, len(c.Metadata))
	for i, m := range c.Metadata {
		meta[i] = d.Ident(m[0]) + " = " + m[1]
	}
	format := ParquetFormat
	if c.StrictText {
		format = StrictFormat
	}
	s := "COPY INTO " + d.Table(c.Schema, c.Table) + "\nFROM @" + d.Path(c.Stage...) +
		"\nFILES = (" + strings.Join(files, ",\n  ") + ")" +
		"\n" + format + "\nMATCH_BY_COLUMN_NAME = CASE_INSENSITIVE" +
		"\nINCLUDE_METADATA = (" + strings.Join(meta, ", ") + ")"
	if c.SkipFiles {
		s += "\nON_ERROR = SKIP_FILE"
	} else {
		s += "\nON_ERROR = ABORT_STATEMENT"
	}
	if c.Force {
		s += "\nFORCE = TRUE"
	}
	return s
}

// FileName is the expression for the last path element of _file.
func (d Snowflake) fileName(col string) string { return "SPLIT_PART(" + col + ", '/', -1)" }

// PathColumns renders the expressions that take ids and batch names from a
// records key, sync_tracking_datasets/ORG/SYNC/RUN/TYPE[.N].parquet, counted
// from the end so a stage at a deeper prefix reads the same.
func (d Snowflake) PathColumns(file string) map[string]string {
	name := d.fileName(file)
	return map[string]string{
		"org_id":                "SPLIT_PART(" + file + ", '/', -4)",
		"sync_configuration_id": "SPLIT_PART(" + file + ", '/', -3)",
		"sync_run_id":           "SPLIT_PART(" + file + ", '/', -2)",
		"batch_type":            "SPLIT_PART(" + name + ", '.', 1)",
		"batch_number":          "TRY_TO_NUMBER(CASE WHEN ARRAY_SIZE(SPLIT(" + name + ", '.')) > 2 THEN SPLIT_PART(" + name + ", '.', 2) END)",
	}
}

// FinishRecords renders the UPDATE that completes the rows COPY just loaded
// from keys: ids the file lacks come from the path, batch names from the file
// name, a payload written as JSON text becomes JSON, and _row counts from 0.
func (d Snowflake) FinishRecords(schema string, keys []string) string {
	file := d.Ident("_file")
	p := d.PathColumns(file)
	payload := d.Ident("record_payload")
	set := []string{}
	for _, c := range []string{"org_id", "sync_configuration_id", "sync_run_id"} {
		set = append(set, d.Ident(c)+" = COALESCE("+d.Ident(c)+", "+p[c]+")")
	}
	set = append(set,
		d.Ident("batch_type")+" = "+p["batch_type"],
		d.Ident("batch_number")+" = "+p["batch_number"],
		payload+" = CASE WHEN IS_VARCHAR("+payload+") THEN COALESCE(TRY_PARSE_JSON("+payload+"::VARCHAR), "+payload+") ELSE "+payload+" END",
		d.Ident("_row")+" = "+d.Ident("_row")+" - 1")
	return "UPDATE " + d.Table(schema, "sync_records") + " SET\n  " + strings.Join(set, ",\n  ") +
		"\nWHERE " + d.In("_file", keys)
}

// CurrentTransaction renders the query for the session's open transaction:
// its id, or NULL when none is open.
func (Snowflake) CurrentTransaction() string { return "SELECT CURRENT_TRANSACTION()" }
