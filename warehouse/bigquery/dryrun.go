package bigquery

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

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

// maxPeel bounds the dry runs one chunk runs again, each without the file
// the last one's error named: a dry run is free and takes about a second, so
// a few bad files cost a few seconds, and a bucket of bad ones cannot hold a
// call for long (past it the error goes to the loader, which fails the file
// named and calls again).
const maxPeel = 16

// maxProbeAlone bounds the files probed one dry run each when a chunk's dry
// run fails naming none of them (LoadWorkers at a time); a larger chunk's
// error goes to the loader, whose halves come back under it.
const maxProbeAlone = 100

// probeSchemas learns each non-empty file's top-level columns on path a
// without synctrack reading a byte of it: one dry-run query job per
// maxProbeFiles files, each file a temporary parquet definition without a
// schema, whose footer BigQuery reads itself (dialects.BigQuery.SchemaProbe).
// Dry runs are free and run nothing; they are counted apart (Stats.DryRuns).
// A file BigQuery cannot read (truncated, corrupt) fails the dry run; it is
// returned in failed (by index, a data error naming it) and the others'
// schemas are still learned: the dry run is run again without the file its
// error names, or, when the error names none, each file alone (probeAlone).
func (w *Warehouse) probeSchemas(ctx context.Context, files []warehouse.File) ([]footer, map[int]error, error) {
	out := make([]footer, len(files))
	failed := map[int]error{}
	var todo []int
	for i, f := range files {
		if f.Size > 0 && !w.wildcard(f) { // an empty object loads as zero rows: nothing to ask
			todo = append(todo, i)
		}
	}
	for start := 0; start < len(todo); start += maxProbeFiles {
		chunk := todo[start:min(start+maxProbeFiles, len(todo))]
		if err := w.probeChunk(ctx, files, chunk, out, failed); err != nil {
			return nil, nil, err
		}
	}
	return out, failed, nil
}

// probeChunk probes chunk, putting each file found unreadable in failed.
func (w *Warehouse) probeChunk(ctx context.Context, files []warehouse.File, chunk []int, out []footer, failed map[int]error) error {
	chunk = append([]int(nil), chunk...)
	for peeled := 0; len(chunk) > 0; peeled++ {
		err := w.probe(ctx, files, chunk, out)
		if err == nil {
			return nil
		}
		bad := named(err, files, chunk)
		if len(bad) == 0 && len(chunk) == 1 && blames(err) {
			bad = chunk // its own dry run
		}
		switch {
		case len(bad) > 0 && peeled < maxPeel:
			for _, i := range bad {
				failed[i] = blame(err, files[i].Key)
			}
			chunk = slices.DeleteFunc(chunk, func(i int) bool { return slices.Contains(bad, i) })
		case len(bad) == 0 && blames(err) && len(chunk) <= maxProbeAlone:
			return w.probeAlone(ctx, files, chunk, out, failed)
		default:
			return err
		}
	}
	return nil
}

// probeAlone runs one dry run per file of chunk, LoadWorkers at a time: a
// file whose own dry run fails on its data is failed; any other error, or
// every file refused alike, stops (alone).
func (w *Warehouse) probeAlone(ctx context.Context, files []warehouse.File, chunk []int, out []footer, failed map[int]error) error {
	keys := make([]string, len(chunk))
	errs := make([]error, len(chunk))
	sem := make(chan struct{}, w.c.LoadWorkers)
	var wg sync.WaitGroup
	for j, i := range chunk {
		keys[j] = files[i].Key
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[j] = w.probe(ctx, files, []int{i}, out)
		})
	}
	wg.Wait()
	bad, err := alone("schema dry run", hintProbeRefused, keys, errs)
	for j, e := range bad {
		failed[chunk[j]] = e
	}
	return err
}

// probe runs one dry run over files[chunk...] and fills out at their indexes.
// An error that names one of the files by its definition or its URI is a
// data error naming it when its class allows.
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
		// Classified before the keys are added: a key is untrusted text.
		err = classify(err)
		subject, key := probeSubject(files, chunk, err)
		if r, _ := warehouse.Explain(err); r == reasonRefused {
			subject, key = probeSubject(files, chunk, nil) // the step, not a file
		}
		err = fmt.Errorf("schema dry run %s: %w", subject, err)
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
// names by its table definition or its URI, and that one's key. Keys are
// matched in BigQuery's own words, before synctrack adds any.
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
	// No key here: a key in an error's text blames that file (named).
	return fmt.Sprintf("of %d files", len(chunk)), ""
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
