package bigquery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
)

// group is the files of a batch that share one schema: one external table
// (path a) or one wildcard over staging tables (path b).
type group struct {
	cols  []dialects.Column
	files []int // indexes into the batch, which are @files' n
}

// LoadRecords replaces the rows of these files and writes their ledger rows in
// one transaction. Path a is one staging job and one script whatever the file
// count (plus a free dry run per 1,000 files); path b is one load job per file
// into staging tables, then the same two query jobs. A file BigQuery cannot
// read, or one without an identifier column, is returned in Loaded.Failed and
// the others load in the same call (isolate.go).
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	if len(files) == 0 {
		return warehouse.Loaded{}, nil
	}
	now := w.now().UTC()
	if w.c.Mode == "external" {
		return w.externalLedger(ctx, files, now)
	}
	foots, failed, err := w.schemas(ctx, files, true)
	if err != nil {
		return warehouse.Loaded{}, err
	}
	b := &batch{files: files, foots: foots, now: now, records: true,
		build: func(in dialects.BQBatch, srcs []dialects.BQSource, added []dialects.AddedColumn) []string {
			return w.d.ReplaceRecords(w.c.Dataset, in, srcs, added, analysis.CountsInserts(w.d, w.c.Dataset, w.d.BatchFiles(in), ""))
		}}
	res, err := w.retry(ctx, failed, files, func(live []int) (int64, map[int]error, error) { return w.attempt(ctx, b, live) })
	return res, wrap("load records", err)
}

// schemas learns each file's columns. On path a BigQuery tells them (a dry
// run, probeSchemas) and synctrack reads no byte of the files: their row
// counts are left 0 for the script to count. On path b they come from the
// files' footers, with the row counts. Either way a file that cannot be read
// is in failed (by index) before any other job is spent on it, and so is a
// records file without an identifier column, which would load as NULL keys.
func (w *Warehouse) schemas(ctx context.Context, files []warehouse.File, records bool) ([]footer, map[int]error, error) {
	var foots []footer
	failed := map[int]error{}
	if w.pathFor(files) == PathQuery {
		var err error
		if foots, failed, err = w.probeSchemas(ctx, files); err != nil {
			return nil, nil, err
		}
	} else {
		keys := make([]string, len(files))
		sizes := make([]int64, len(files))
		for i, f := range files {
			keys[i], sizes[i] = f.Key, f.Size
		}
		var errs []error
		foots, errs = w.readFooters(ctx, keys, sizes)
		for i, err := range errs {
			switch {
			case err == nil:
			case !blames(err):
				return nil, nil, fmt.Errorf("%s: %w", keys[i], err) // the bucket, not the file
			default:
				failed[i] = warehouse.DataError(fmt.Errorf("%s: %w", keys[i], err), keys[i])
			}
		}
	}
	for i, f := range files {
		if w.wildcard(f) {
			failed[i] = warehouse.DataError(fmt.Errorf("%s: the key has a *, which BigQuery reads in a gs:// URI as a wildcard "+
				"(it would load every object it matches as this one): not loaded; rename it", f.Key), f.Key)
		}
	}
	for i, f := range files {
		if _, bad := failed[i]; records && !bad && f.Size > 0 && !hasIdentifier(foots[i].Columns) {
			failed[i] = noIdentifier(f.Key, foots[i].Columns)
		}
	}
	return foots, failed, nil
}

// wildcard says whether f is named to BigQuery by a gs:// URI that BigQuery
// reads as a pattern: a key is any text, and a * in a URI matches objects.
// Such a file is never named to a job (probeSchemas skips it).
func (w *Warehouse) wildcard(f warehouse.File) bool {
	return w.bucket != "" && f.Local == "" && strings.Contains(f.Key, "*")
}

// hasIdentifier says whether a file has the sync key column, in any case, as
// the insert matches columns.
func hasIdentifier(cols []dialects.Column) bool {
	return slices.ContainsFunc(cols, func(c dialects.Column) bool { return strings.EqualFold(c.Name, "identifier") })
}

func noIdentifier(key string, cols []dialects.Column) error {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return warehouse.DataError(fmt.Errorf("%s: records file has no identifier column (its columns: %s)",
		key, strings.Join(names, ", ")), key)
}

func objects(files []warehouse.File) ([]warehouse.Object, []int64) {
	objs := make([]warehouse.Object, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		objs[i], sizes[i] = f.Object, f.Size
	}
	return objs, sizes
}

// groupBySchema groups the non-empty files by their exact column list.
func groupBySchema(foots []footer, sizes []int64) []group {
	var out []group
	idx := map[string]int{}
	for i, f := range foots {
		if sizes[i] == 0 || len(f.Columns) == 0 {
			continue
		}
		var sig strings.Builder
		for _, c := range f.Columns {
			sig.WriteString(c.Name + "\x00" + c.Type + "\x00")
		}
		g, ok := idx[sig.String()]
		if !ok {
			g = len(out)
			idx[sig.String()] = g
			out = append(out, group{cols: f.Columns})
		}
		out[g].files = append(out[g].files, i)
	}
	return out
}

// plainColumn is a name BigQuery takes as a column without renaming.
var plainColumn = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// addColumns adds to sync_records, through the API, each scalar column the
// files hold that it lacks, so a new vendor column is kept, never a failed
// load. A name BigQuery would not take, or one reserved for pseudo-columns,
// is sanitized. It returns every extra column of the batch with its column.
func (w *Warehouse) addColumns(ctx context.Context, groups []group) ([]dialects.AddedColumn, error) {
	var extra []dialects.Column
	seen := map[string]bool{}
	for _, g := range groups {
		for _, c := range g.cols {
			lc := strings.ToLower(c.Name)
			if !dialects.IsRecordColumn(c.Name) && !seen[lc] {
				seen[lc] = true
				extra = append(extra, c)
			}
		}
	}
	if len(extra) == 0 {
		return nil, nil
	}
	t := w.ds.Table("sync_records")
	md, err := t.Metadata(ctx)
	if err != nil {
		return nil, classify(fmt.Errorf("read sync_records schema: %w", err))
	}
	have := map[string]bigquery.FieldType{}
	for _, f := range md.Schema {
		have[strings.ToLower(f.Name)] = f.Type
	}
	base := map[string]bool{}
	for _, c := range dialects.RecordsColumns {
		base[c.Name] = true
	}
	var out []dialects.AddedColumn
	schema := md.Schema
	for _, c := range extra {
		col := c.Name
		if !plainColumn.MatchString(col) || strings.HasPrefix(strings.ToUpper(col), "_TABLE_") ||
			strings.HasPrefix(strings.ToUpper(col), "_FILE_") || strings.HasPrefix(strings.ToUpper(col), "_PARTITION") {
			col = dialects.SanitizeName(col)
		}
		lc := strings.ToLower(col)
		if base[lc] {
			continue // only in _extra: it would shadow one of ours
		}
		if ft, ok := have[lc]; ok {
			out = append(out, dialects.AddedColumn{File: c.Name, Column: lc, Type: typeName(ft)})
			continue
		}
		have[lc] = bqTypes[c.Type]
		schema = append(schema, &bigquery.FieldSchema{Name: lc, Type: bqTypes[c.Type]})
		out = append(out, dialects.AddedColumn{File: c.Name, Column: lc, Type: c.Type})
	}
	if len(schema) > len(md.Schema) {
		if _, err := t.Update(ctx, bigquery.TableMetadataToUpdate{Schema: schema}, md.ETag); err != nil {
			return nil, classify(fmt.Errorf("add columns to sync_records: %w", err))
		}
		w.log.Info("added columns to sync_records", "columns", len(schema)-len(md.Schema))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Column < out[j].Column })
	return out, nil
}

func typeName(ft bigquery.FieldType) string {
	for n, t := range bqTypes {
		if t == ft {
			return n
		}
	}
	return "STRING"
}

func cycleID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
