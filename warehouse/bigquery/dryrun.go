package bigquery

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// maxProbeFiles bounds the files of one dry run: a query references at most
// 1,000 tables, and each file is one temporary table definition.
const maxProbeFiles = 1000

// probeTable names a file's temporary table definition in a dry run: a name
// no BigQuery message would use for anything else, so an error naming it
// names the file.
const probeTable = "_st_file_"

var probeName = regexp.MustCompile(probeTable + `([0-9]+)`)

// probeSchemas learns each non-empty file's top-level columns on path a
// without synctrack reading a byte of it: one dry-run query job per
// maxProbeFiles files, each file a temporary parquet definition without a
// schema, whose footer BigQuery reads itself (dialects.BigQuery.SchemaProbe).
// Dry runs are free and run nothing; they are counted apart (Stats.DryRuns).
// A file BigQuery cannot read (truncated, corrupt, not permitted) fails its
// dry run: the error names the file when BigQuery's message does, and the
// loader halves a failing batch until the file stands alone.
func (w *Warehouse) probeSchemas(ctx context.Context, files []warehouse.File) ([]footer, error) {
	out := make([]footer, len(files))
	var todo []int
	for i, f := range files {
		if f.Size > 0 { // an empty object loads as zero rows: nothing to ask
			todo = append(todo, i)
		}
	}
	for start := 0; start < len(todo); start += maxProbeFiles {
		chunk := todo[start:min(start+maxProbeFiles, len(todo))]
		if err := w.probe(ctx, files, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// probe runs one dry run over files[chunk...] and fills out at their indexes.
func (w *Warehouse) probe(ctx context.Context, files []warehouse.File, chunk []int, out []footer) error {
	ctx, cancel := context.WithTimeout(ctx, w.c.JobTimeout)
	defer cancel()
	names := make([]string, len(chunk))
	defs := make(map[string]bigquery.ExternalData, len(chunk))
	for j, i := range chunk {
		names[j] = probeTable + strconv.Itoa(j)
		defs[names[j]] = &bigquery.ExternalDataConfig{SourceFormat: bigquery.Parquet,
			SourceURIs: []string{w.uri(files[i].Key)}}
	}
	q := w.client.Query(w.d.SchemaProbe(names))
	w.log.Debug("dry run", "sql", q.Q, "files", len(chunk))
	q.DryRun = true
	q.TableDefinitions = defs
	w.count(func(s *Stats) { s.DryRuns++ })
	job, err := q.Run(ctx)
	var st *bigquery.JobStatus
	if err == nil {
		if st = job.LastStatus(); st == nil {
			err = fmt.Errorf("no job status")
		} else {
			err = st.Err()
		}
	}
	if err != nil {
		subject, key := probeSubject(files, chunk, err)
		err = classify(fmt.Errorf("schema dry run %s: %w", subject, err))
		if key != "" && warehouse.ClassOf(err) == warehouse.Data {
			return warehouse.DataError(err, key)
		}
		return err
	}
	qs, _ := st.Statistics.Details.(*bigquery.QueryStatistics)
	if qs == nil {
		subject, _ := probeSubject(files, chunk, nil)
		return fmt.Errorf("schema dry run %s: no result schema in the answer", subject)
	}
	got := make(map[string]*bigquery.FieldSchema, len(qs.Schema))
	for _, f := range qs.Schema {
		got[f.Name] = f
	}
	for j, i := range chunk {
		f := got[names[j]]
		if f == nil || !f.Repeated || !isRecord(f.Type) {
			return fmt.Errorf("%s: schema dry run: no columns for it in the answer", files[i].Key)
		}
		out[i].Columns = fileColumns(f.Schema)
	}
	return nil
}

// probeSubject says which files a dry run was over, or the one its error
// names by its table definition or its URI, and that one's key.
func probeSubject(files []warehouse.File, chunk []int, err error) (string, string) {
	if err != nil {
		msg := err.Error()
		for _, m := range probeName.FindAllStringSubmatch(msg, -1) {
			if j, e := strconv.Atoi(m[1]); e == nil && j < len(chunk) {
				return "failed on " + files[chunk[j]].Key, files[chunk[j]].Key
			}
		}
		for _, i := range chunk {
			if strings.Contains(msg, files[i].Key) {
				return "failed on " + files[i].Key, files[i].Key
			}
		}
	}
	if len(chunk) == 1 {
		return "of " + files[chunk[0]].Key, ""
	}
	return fmt.Sprintf("of %d files (%s, ...)", len(chunk), files[chunk[0]].Key), ""
}

func isRecord(t bigquery.FieldType) bool { return t == bigquery.RecordFieldType || t == "STRUCT" }

// fieldTypes maps the types of a result schema (the API's legacy names and
// the GoogleSQL ones) to the type names footer.go's columnType gives.
var fieldTypes = map[bigquery.FieldType]string{
	"STRING": "STRING", "BYTES": "BYTES", "JSON": "JSON",
	"INTEGER": "INT64", "INT64": "INT64", "FLOAT": "FLOAT64", "FLOAT64": "FLOAT64",
	"BOOLEAN": "BOOL", "BOOL": "BOOL", "NUMERIC": "NUMERIC", "BIGNUMERIC": "BIGNUMERIC",
	"TIMESTAMP": "TIMESTAMP", "DATETIME": "DATETIME", "DATE": "DATE", "TIME": "TIME",
}

// fileColumns are a file's top-level scalar columns, in file order. Nested
// and repeated ones are left out, as columnType leaves them: they cannot be
// one of the vendor's columns, and only unknown extras are nested.
func fileColumns(s bigquery.Schema) []dialects.Column {
	var out []dialects.Column
	for _, f := range s {
		if t, ok := fieldTypes[f.Type]; ok && !f.Repeated {
			out = append(out, dialects.Column{Name: f.Name, Type: t})
		}
	}
	return out
}
