package postgres

import (
	"context"
	"fmt"
	"strings"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/warehouse"
)

var (
	_ warehouse.Baseline     = (*Warehouse)(nil)
	_ warehouse.JSONBaseline = (*Warehouse)(nil)
)

// BaselineLoad is the bare load of the same files: one pgx CopyFrom (binary)
// of their rows, as parquet-go reads them, into a plain table _baseline with
// a column per parquet column (union by name; text, bigint, double,
// boolean, timestamptz), no ledger, no transaction of ours, no JSON, no
// per-file columns, no repair. It is the ceiling `synctrack bench` measures
// synctrack's load against.
func (w *Warehouse) BaselineLoad(ctx context.Context, files []string) (int64, error) {
	return w.baselineLoad(ctx, files, "_baseline", "")
}

// JSONBaselineLoad is BaselineLoad with record_payload typed jsonb, as
// sync_records stores it: the server parses every payload (binary COPY of
// jsonb is a version byte and the JSON text). Nothing else changes: the
// payloads go as they are, unchecked. Its table is _baseline_json: pgx
// caches a COPY's column types by table name, so a table of the same name
// with another payload type would be sent the wrong encoding.
func (w *Warehouse) JSONBaselineLoad(ctx context.Context, files []string) (int64, error) {
	return w.baselineLoad(ctx, files, "_baseline_json", "JSONB")
}

// baselineLoad is the bare load into table, with record_payload of type
// payloadType when that is not "".
func (w *Warehouse) baselineLoad(ctx context.Context, files []string, table, payloadType string) (int64, error) {
	cols, types, err := baselineColumns(files)
	if err != nil {
		return 0, err
	}
	t := w.table(table)
	defs := make([]string, len(cols))
	for i, c := range cols {
		typ := factType(types[i], false)
		if c == "record_payload" && payloadType != "" {
			typ = payloadType
		}
		defs[i] = w.d.Ident(c) + " " + typ
	}
	if _, err := w.pool.Exec(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
		return 0, classify(err)
	}
	if _, err := w.pool.Exec(ctx, "CREATE TABLE "+t+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return 0, classify(err)
	}
	src := &baselineSource{files: files, cols: cols, types: types, vals: make([]any, len(cols))}
	defer src.close()
	n, err := w.pool.CopyFrom(ctx, pgx.Identifier{w.schema, table}, cols, src)
	return n, classify(err)
}

// baselineColumns is the union of the files' columns, by name, with the
// type they have in the files, or text where files differ (an identifier
// written as an integer in some files and as text in others).
func baselineColumns(files []string) ([]string, []leafType, error) {
	var cols []string
	var types []leafType
	seen := map[string]int{}
	for _, f := range files {
		p, err := openParquet(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		for i, n := range p.names {
			j, ok := seen[n]
			switch {
			case n == "":
			case !ok:
				seen[n] = len(cols)
				cols, types = append(cols, n), append(types, p.types[i])
			case types[j] != p.types[i]:
				types[j] = leafType{kind: parquet.ByteArray, scale: -1}
			}
		}
		p.close()
	}
	return cols, types, nil
}

// baselineSource streams every file's rows, each value as directly as
// pgx takes it: text shares the page's bytes, integers and doubles as they
// are, instants as time.Time.
type baselineSource struct {
	files []string
	next  int
	cur   *parquetFile
	at    []int // the current file's leaf index per column, -1 when missing
	cols  []string
	types []leafType
	vals  []any
	err   error
}

func (s *baselineSource) Next() bool {
	for s.err == nil {
		if s.cur == nil {
			if s.next >= len(s.files) {
				return false
			}
			p, err := openParquet(s.files[s.next])
			s.next++
			if err != nil {
				s.err = err
				return false
			}
			s.cur, s.at = p, make([]int, len(s.cols))
			for i, c := range s.cols {
				s.at[i] = p.column(c)
			}
		}
		if s.cur.next() {
			s.err = s.fill()
			return s.err == nil
		}
		s.err = s.cur.err
		s.cur.close()
		s.cur = nil
	}
	return false
}

func (s *baselineSource) fill() error {
	for i, leaf := range s.at {
		s.vals[i] = nil
		if leaf < 0 || s.cur.row[leaf].IsNull() {
			continue
		}
		v, t := s.cur.row[leaf], s.cur.types[leaf]
		switch {
		case s.types[i] != t: // text here, something else in this file
			s.vals[i] = t.text(v, &repairs{})
		case t.unit != 0 || t.date:
			ts, err := t.instant(v)
			if err != nil {
				return err
			}
			s.vals[i] = ts
		case t.kind == parquet.ByteArray:
			b := v.ByteArray()
			s.vals[i] = unsafe.String(unsafe.SliceData(b), len(b))
		case t.kind == parquet.Int64:
			s.vals[i] = v.Int64()
		case t.kind == parquet.Int32:
			s.vals[i] = int64(v.Int32())
		case t.kind == parquet.Double:
			s.vals[i] = v.Double()
		case t.kind == parquet.Float:
			s.vals[i] = float64(v.Float())
		case t.kind == parquet.Boolean:
			s.vals[i] = v.Boolean()
		default:
			s.vals[i] = t.text(v, &repairs{})
		}
	}
	return nil
}

func (s *baselineSource) Values() ([]any, error) { return s.vals, nil }
func (s *baselineSource) Err() error             { return s.err }

func (s *baselineSource) close() {
	if s.cur != nil {
		s.cur.close()
	}
}

var _ warehouse.Dropper = (*Warehouse)(nil)

// DropSchema drops the schema and everything in it: what `synctrack bench`
// does between its phases, in a schema given to it alone.
func (w *Warehouse) DropSchema(ctx context.Context) error {
	_, err := w.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+w.d.Ident(w.schema)+" CASCADE")
	return classify(err)
}
