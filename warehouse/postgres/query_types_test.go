package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// sameOutput are expressions both engines read alike, whose results
// synctrack query must write alike in every format.
var sameOutput = []string{
	`ARRAY[1, 2, NULL]`,
	`CAST(ARRAY[1, 2] AS BIGINT[])`,
	`CAST(ARRAY[1, 2] AS SMALLINT[])`,
	`ARRAY['a', NULL, 'c"d', '', 'NULL', '{x}', 'a,b']`,
	`ARRAY[[1, 2], [3, NULL]]`,
	`ARRAY[[['a']], [['b']]]`,
	`CAST(ARRAY[] AS INTEGER[])`,
	`CAST(NULL AS INTEGER[])`,
	`ARRAY[true, NULL, false]`,
	`CAST(ARRAY[1.5, -2, 1e300] AS DOUBLE PRECISION[])`,
	`CAST(ARRAY[1.5, 2] AS REAL[])`,
	`ARRAY[CAST(1.50 AS DECIMAL(4, 2)), NULL]`,
	`ARRAY[DATE '2026-01-02', NULL]`,
	`ARRAY[DATE '0001-01-01', DATE '2026-12-31']`,
	`ARRAY[TIMESTAMP '2026-01-02 03:04:05.5']`,
	`ARRAY[CAST('2026-01-02 03:04:05+02' AS TIMESTAMPTZ)]`,
	`ARRAY[TIME '01:02:03', TIME '23:59:59.123456']`,
	`ARRAY[INTERVAL '1 day', INTERVAL '90 minutes']`,
	`ARRAY[CAST('5e0b4f0e-0d6b-4c1a-9f6e-1c1a2b3c4d5e' AS UUID)]`,
	`ARRAY[CAST('{"a": [1, 2.50]}' AS JSON), NULL]`,
	`INTERVAL '1 year 2 months 3 days 04:05:06.5'`,
	`INTERVAL '-1 year -2 months'`,
	`INTERVAL '14 months'`,
	`INTERVAL '100 hours'`,
	`INTERVAL '-0.000001 seconds'`,
	`INTERVAL '1 day -1 second'`,
	`INTERVAL '0 seconds'`,
	`TIME '04:05:06.5'`,
	`TIME '00:00:00'`,
	`TIME '23:59:59.999999'`,
	`TIME '12:00:00.000100'`,
	`CAST('04:05:06+02' AS TIMETZ)`,
	`CAST('04:05:06.25-03:30' AS TIMETZ)`,
	`DATE '2026-01-02'`,
	`CAST('2026-01-02 03:04:05+02' AS TIMESTAMPTZ)`,
	`array_length(ARRAY[1, 2], 1)`,
}

// sameText are written alike as a table, CSV and JSON, not in parquet: a
// numeric is text there, a DuckDB DECIMAL(w,s) a DECIMAL and its HUGEINT
// sum an INT64 (PostgreSQL names no width for a sum, and a numeric(w,s)
// holds NaN, which no parquet DECIMAL does).
var sameText = []string{
	`CAST(1.50 AS DECIMAL(4, 2))`,
	`CAST(0 AS DECIMAL(4, 2))`,
	`CAST(-100 AS DECIMAL(10, 2))`,
	`CAST(-0.05 AS DECIMAL(10, 3))`,
	`sum(CAST(2 AS BIGINT))`,
}

// synctrack query writes arrays, intervals and times from PostgreSQL as it
// writes them from DuckDB, for the same SQL, in every format (the rows of
// QueryReadOnly through the exporters, as the command does): arrays as
// lists keeping their elements' types (numbers, strings, null, nested
// lists), intervals and times in DuckDB's text. Before, an interval was
// PostgreSQL's "14 mon 3 day 04:05:06.500000", a time had six fraction
// digits, a two-dimensional array came flat, and a time, an interval or a
// date in an array as a struct or an instant.
func TestQueryGivesArraysAsDuckDB(t *testing.T) {
	ctx := context.Background()
	pg := open(t, pgtest.URL(t), warehouse.Options{}).(warehouse.ReadOnlyQuerier)
	duck, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "q.duckdb"), Schema: "synctrack", MemoryLimit: "512MB"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	for _, expr := range append(sameOutput, sameText...) {
		q := "SELECT " + expr + " AS v"
		for _, format := range export.Formats {
			if format == "parquet" && slices.Contains(sameText, expr) {
				continue
			}
			got, err := exported(func() (warehouse.Rows, error) { return pg.QueryReadOnly(ctx, q) }, format)
			if err != nil {
				t.Errorf("%s as %s on PostgreSQL: %v", q, format, err)
			}
			// DuckDB's QueryReadOnly is its Query on a database opened
			// read-only.
			want, werr := exported(func() (warehouse.Rows, error) { return duck.Query(ctx, q, nil) }, format)
			if werr != nil {
				t.Errorf("%s as %s on DuckDB: %v", q, format, werr)
			}
			if err == nil && werr == nil && got != want {
				t.Errorf("%s as %s:\nPostgreSQL %q\nDuckDB     %q", q, format, got, want)
			}
		}
	}
}

// exported is the rows query gives, written as synctrack query writes them
// in format; a parquet file as its schema and rows.
func exported(query func() (warehouse.Rows, error), format string) (string, error) {
	rs, err := query()
	if err != nil {
		return "", err
	}
	defer rs.Close()
	var b bytes.Buffer
	ew, err := export.New(format, &b)
	if err != nil {
		return "", err
	}
	if _, err = export.Stream(rs, ew); err != nil || format != "parquet" {
		return b.String(), err
	}
	f, err := parquet.OpenFile(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		return "", err
	}
	out := f.Schema().String()
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 16)
		for {
			n, err := rows.ReadRows(buf)
			for _, r := range buf[:n] {
				out += fmt.Sprintf("\n%v", r)
			}
			if err != nil {
				break
			}
		}
		rows.Close()
	}
	return out, nil
}
