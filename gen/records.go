package gen

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// Record is one row of a Sync Tracking records file.
type Record struct {
	// Identifier is the sync key as text. With Shape.IntIdentifier the
	// integer in IntIdentifier is written, or Identifier parsed when nil.
	Identifier    string
	IntIdentifier *int64
	// Payload is the record_payload column: a JSON object as text.
	Payload   string
	Operation string
	// Status and StatusMessage are written as SQL NULL when nil.
	Status         *string
	StatusMessage  *string
	Started, Ended time.Time
	// SyncConfigurationID and SyncRunID are not written for Shape.Legacy.
	SyncConfigurationID, SyncRunID string
	// RetryCount is the unknown extra column, written for Shape.ExtraColumn.
	RetryCount int64
}

// Shape selects the physical layout of a records file.
type Shape struct {
	Legacy        bool // no sync_configuration_id / sync_run_id columns
	IntIdentifier bool // identifier is INT64 instead of STRING
	Millis        bool // TIMESTAMP(MILLIS) instead of TIMESTAMP(MICROS)
	LocalTime     bool // isAdjustedToUTC=false (values are still UTC wall clock)
	ExtraColumn   bool // an unknown extra column: retry_count INT64 (optional)
}

// Columns returns the column names of the shape, in file order.
func (s Shape) Columns() []string {
	cols := []string{"identifier", "record_payload", "operation", "status",
		"status_message", "batch_started_at", "batch_ended_at"}
	if !s.Legacy {
		cols = append(cols, "sync_configuration_id", "sync_run_id")
	}
	if s.ExtraColumn {
		cols = append(cols, "retry_count")
	}
	return cols
}

var schemaCache sync.Map // Shape -> *parquet.Schema

// Schema returns the parquet schema of a records file of this shape.
// Columns keep the documented order (a parquet.Group would sort them by name).
func (s Shape) Schema() *parquet.Schema {
	if v, ok := schemaCache.Load(s); ok {
		return v.(*parquet.Schema)
	}
	v, _ := schemaCache.LoadOrStore(s, buildSchema(s))
	return v.(*parquet.Schema)
}

func buildSchema(s Shape) *parquet.Schema {
	str, strPtr := reflect.TypeFor[string](), reflect.TypeFor[*string]()
	i64, i64Ptr := reflect.TypeFor[int64](), reflect.TypeFor[*int64]()
	unit, zone := "microsecond", "utc"
	if s.Millis {
		unit = "millisecond"
	}
	if s.LocalTime {
		zone = "local"
	}
	ts := fmt.Sprintf(",timestamp(%s:%s)", unit, zone)
	idType := str
	if s.IntIdentifier {
		idType = i64
	}
	field := func(name string, t reflect.Type, tag string) reflect.StructField {
		return reflect.StructField{Name: name, Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	fields := []reflect.StructField{
		field("Identifier", idType, "identifier"),
		field("RecordPayload", str, "record_payload"),
		field("Operation", str, "operation,dict"),
		field("Status", strPtr, "status,optional,dict"),
		field("StatusMessage", strPtr, "status_message,optional"),
		field("BatchStartedAt", i64, "batch_started_at"+ts),
		field("BatchEndedAt", i64, "batch_ended_at"+ts),
	}
	if !s.Legacy {
		fields = append(fields,
			field("SyncConfigurationID", strPtr, "sync_configuration_id,optional,dict"),
			field("SyncRunID", strPtr, "sync_run_id,optional,dict"))
	}
	if s.ExtraColumn {
		fields = append(fields, field("RetryCount", i64Ptr, "retry_count,optional"))
	}
	model := reflect.New(reflect.StructOf(fields)).Interface()
	return parquet.NewSchema("schema", parquet.SchemaOf(model))
}

// WriteRecords writes one records parquet file with the given rows and shape.
func WriteRecords(w io.Writer, rows []Record, shape Shape) error {
	rw := newRecordWriter(w, shape, len(rows))
	defer rw.release()
	if err := rw.write(rows); err != nil {
		return err
	}
	return rw.close()
}

// recordWriter converts Records to parquet rows in chunks, without reflection.
type recordWriter struct {
	w     *parquet.Writer
	shape Shape
	ncol  int
	vals  []parquet.Value
	rows  []parquet.Row
}

const chunkRows = 1024

// writerOptions are the parquet writer settings of all generated files:
// data page v1 and PLAIN strings, as common writers (pyarrow, Spark) do;
// parquet-go defaults to v2 pages and DELTA_LENGTH_BYTE_ARRAY.
func writerOptions(extra ...parquet.WriterOption) []parquet.WriterOption {
	return append([]parquet.WriterOption{
		parquet.Compression(&parquet.Snappy),
		parquet.DataPageVersion(1),
		parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.Plain),
		parquet.CreatedBy("synctrack-gen", "1", "0"),
	}, extra...)
}

var valueBuffers sync.Pool // *[]parquet.Value

// newRecordWriter returns a writer for one file. Parquet writers are not
// reused: in parquet-go v0.32.0, Writer.Reset clears the path_in_schema of
// the column chunks of every later file (format.ColumnMetaData.Reset clears
// a slice it shares with the column writer). Buffers are sized for the
// expected number of rows, as allocating the writer is most of the cost of a
// small file. Call release after close.
func newRecordWriter(w io.Writer, shape Shape, rows int) *recordWriter {
	pw := parquet.NewWriter(w, writerOptions(shape.Schema(),
		parquet.MaxRowsPerRowGroup(64*1024),
		parquet.PageBufferSize(min(max(rows*64, 16<<10), parquet.DefaultPageBufferSize)),
		parquet.WriteBufferSize(min(max(rows*256, 4<<10), parquet.DefaultWriteBufferSize)))...)
	rw := &recordWriter{w: pw, shape: shape, ncol: len(shape.Columns())}
	if vals, ok := valueBuffers.Get().(*[]parquet.Value); ok {
		rw.vals = *vals
	}
	return rw
}

// release recycles the value buffer of the writer.
func (rw *recordWriter) release() {
	vals := rw.vals[:cap(rw.vals)]
	clear(vals) // drop references to record strings
	rw.vals, rw.rows = nil, nil
	valueBuffers.Put(&vals)
}

func (rw *recordWriter) write(recs []Record) error {
	for len(recs) > 0 {
		n := min(len(recs), chunkRows)
		if cap(rw.vals) < n*rw.ncol {
			rw.vals = make([]parquet.Value, 0, n*rw.ncol)
		}
		vals, rows := rw.vals[:0], rw.rows[:0]
		for i := range recs[:n] {
			start := len(vals)
			var err error
			if vals, err = rw.appendRecord(vals, &recs[i]); err != nil {
				return err
			}
			rows = append(rows, vals[start:len(vals):len(vals)])
		}
		if _, err := rw.w.WriteRows(rows); err != nil {
			return err
		}
		rw.vals, rw.rows, recs = vals, rows, recs[n:]
	}
	return nil
}

func (rw *recordWriter) close() error { return rw.w.Close() }

func (rw *recordWriter) appendRecord(v []parquet.Value, r *Record) ([]parquet.Value, error) {
	s := rw.shape
	if s.IntIdentifier {
		id, err := intIdentifier(r)
		if err != nil {
			return v, err
		}
		v = append(v, parquet.Int64Value(id).Level(0, 0, 0))
	} else {
		v = append(v, strValue(r.Identifier, 0))
	}
	v = append(v, strValue(r.Payload, 1), strValue(r.Operation, 2),
		optStr(r.Status, 3), optStr(r.StatusMessage, 4),
		parquet.Int64Value(rw.ts(r.Started)).Level(0, 0, 5),
		parquet.Int64Value(rw.ts(r.Ended)).Level(0, 0, 6))
	col := 7
	if !s.Legacy {
		v = append(v, strValue(r.SyncConfigurationID, col).Level(0, 1, col),
			strValue(r.SyncRunID, col+1).Level(0, 1, col+1))
		col += 2
	}
	if s.ExtraColumn {
		v = append(v, parquet.Int64Value(r.RetryCount).Level(0, 1, col))
	}
	return v, nil
}

func (rw *recordWriter) ts(t time.Time) int64 {
	if rw.shape.Millis {
		return t.UnixMilli()
	}
	return t.UnixMicro()
}

func intIdentifier(r *Record) (int64, error) {
	if r.IntIdentifier != nil {
		return *r.IntIdentifier, nil
	}
	id, err := strconv.ParseInt(r.Identifier, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("gen: int identifier: %w", err)
	}
	return id, nil
}

// strValue makes a BYTE_ARRAY value sharing the string's bytes; the writer
// copies them into its column buffers.
func strValue(s string, col int) parquet.Value {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	return parquet.ByteArrayValue(b).Level(0, 0, col)
}

func optStr(s *string, col int) parquet.Value {
	if s == nil {
		return parquet.NullValue().Level(0, 0, col)
	}
	return strValue(*s, col).Level(0, 1, col)
}
