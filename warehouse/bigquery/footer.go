package bigquery

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// footer is what a records or fact file's parquet footer says: read by
// synctrack on path b (readFooter); on path a only Columns, told by
// BigQuery's dry run (probeSchemas), and the rows are counted by the script.
type footer struct {
	Rows    int64
	Columns []dialects.Column // top-level columns with their BigQuery types
}

// tailBytes is read from the end of each object in one request: enough for
// the footer of any file we have seen, so a footer costs one range read.
const tailBytes = 16 << 10

// readFooter reads one object's parquet footer with range reads (path b). A
// truncated or corrupt object fails here, before any job is spent on it.
func (w *Warehouse) readFooter(ctx context.Context, key string, size int64) (footer, error) {
	ra := &rangeReader{ctx: ctx, b: w.c.Bucket, key: key, size: size}
	pf, err := warehouse.OpenParquet(ra, size)
	w.count(func(s *Stats) { s.DaemonBytes += ra.read })
	if ra.err != nil {
		return footer{}, bucketError(ra.err)
	}
	if err != nil {
		return footer{}, warehouse.Wrap(fmt.Errorf("not a readable parquet file (%d bytes): %w", size, err),
			warehouse.Data, "bad_object", "")
	}
	var f footer
	f.Rows = pf.NumRows()
	if _, err := warehouse.ColumnNames(pf); err != nil {
		return footer{}, warehouse.Wrap(err, warehouse.Data, "bad_object", "")
	}
	for _, fld := range pf.Schema().Fields() {
		if t := columnType(fld); t != "" {
			f.Columns = append(f.Columns, dialects.Column{Name: fld.Name(), Type: t})
		}
	}
	return f, nil
}

// readFooters reads footers concurrently; errs[i] is set where one failed.
func (w *Warehouse) readFooters(ctx context.Context, keys []string, sizes []int64) ([]footer, []error) {
	out, errs := make([]footer, len(keys)), make([]error, len(keys))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range keys {
		if sizes[i] == 0 {
			continue // an empty object loads as zero rows
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = w.readFooter(ctx, keys[i], sizes[i])
		})
	}
	wg.Wait()
	return out, errs
}

// columnType maps a top-level parquet column to the BigQuery type a load job
// or an external table gives it. Nested columns ("" here) are not read: they
// cannot be one of the vendor's columns, and only unknown extras are nested.
func columnType(f parquet.Field) string {
	if !f.Leaf() || f.Repeated() {
		return ""
	}
	t := f.Type()
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch v := lt.Value.(type) {
		case *format.StringType, *format.EnumType, *format.JsonType:
			return "STRING"
		case *format.TimestampType:
			if v.IsAdjustedToUTC {
				return "TIMESTAMP"
			}
			return "DATETIME"
		case *format.DateType:
			return "DATE"
		case *format.DecimalType:
			return "NUMERIC"
		}
	}
	if ct := t.ConvertedType(); ct != nil {
		switch *ct {
		case deprecated.UTF8, deprecated.Enum, deprecated.Json:
			return "STRING"
		case deprecated.TimestampMillis, deprecated.TimestampMicros:
			return "TIMESTAMP"
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		return "BOOL"
	case parquet.Int32, parquet.Int64:
		return "INT64"
	case parquet.Float, parquet.Double:
		return "FLOAT64"
	case parquet.Int96:
		return "TIMESTAMP"
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return "BYTES"
	}
	return ""
}

// rangeReader reads an object at offsets: the tail once, anything else by a
// range request of its own.
type rangeReader struct {
	ctx  context.Context
	b    *blob.Bucket
	key  string
	size int64
	tail []byte
	read int64
	err  error // the first error from the bucket
	mu   sync.Mutex
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if off < 0 {
		// A corrupt footer length points before the file: the object's
		// fault, never asked of the bucket (which would call it a bad request).
		return 0, fmt.Errorf("parquet footer points at offset %d, before the file", off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	start := max(0, r.size-tailBytes)
	if r.tail == nil && off >= start {
		buf, err := r.get(start, r.size-start)
		if err != nil {
			return 0, err
		}
		r.tail = buf
	}
	if r.tail != nil && off >= start {
		n := copy(p, r.tail[off-start:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	buf, err := r.get(off, min(int64(len(p)), r.size-off))
	n := copy(p, buf)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// get reads n bytes at off. An error is the bucket's (err keeps the first):
// a short body is the transfer's fault, as the listing said how long the
// object is, so it is no sign of a bad file either.
func (r *rangeReader) get(off, n int64) ([]byte, error) {
	rd, err := r.b.NewRangeReader(r.ctx, r.key, off, n, nil)
	if err != nil {
		r.err = cmp.Or(r.err, err)
		return nil, err
	}
	defer rd.Close()
	buf, err := io.ReadAll(rd)
	r.read += int64(len(buf))
	if err == nil && int64(len(buf)) < n {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		r.err = cmp.Or(r.err, err)
	}
	return buf, err
}

// osRulesByType are warehouse.OSRules without their words (bucketError).
var osRulesByType = warehouse.WithoutWords(warehouse.OSRules)

// bucketError classes a failed read of the bucket: an object deleted since
// the listing fails alone (a new version is listed and loaded anew), a
// refused read is config, anything else transient; never the file's data.
// The OS's and the network's errors are known by errno and type only: the
// error quotes the object's key, anyone's to choose, and a key reading
// "permission denied" made a 500 on it a misconfiguration.
func bucketError(err error) error {
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return warehouse.Wrap(fmt.Errorf("the object is gone since it was listed: %w", err), warehouse.Data, "gone", "")
	case gcerrors.PermissionDenied:
		return warehouse.Wrap(err, warehouse.Config, "permission", "give synctrack's credentials read access to the bucket")
	}
	err = warehouse.Classify(err, osRulesByType)
	return warehouse.Wrap(fmt.Errorf("read the bucket: %w", err), warehouse.Transient, "bucket", "the bucket did not answer; the next load tries again")
}
