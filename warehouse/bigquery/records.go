package bigquery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"cloud.google.com/go/bigquery"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// group is the files of a batch that share one schema: one external table
// (path a) or one wildcard over staging tables (path b).
type group struct {
	cols  []dialects.Column
	files []int // indexes into the batch, which are @files' n
}

// LoadRecords replaces the rows of these files and writes their ledger rows in
// one transaction. Path a is one query job whatever the file count; path b is
// one load job per file into staging tables, then one query job.
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (int64, error) {
	if len(files) == 0 {
		return 0, nil
	}
	now := w.now().UTC()
	objs := make([]warehouse.Object, len(files))
	keys := make([]string, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		objs[i], keys[i], sizes[i] = f.Object, f.Key, f.Size
	}
	foots, errs := w.readFooters(ctx, keys, sizes)
	for i, err := range errs {
		if err != nil {
			return 0, fmt.Errorf("%s: %w", keys[i], err)
		}
	}
	var rows int64
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		rows += foots[i].Rows
		es[i] = loadedEntry(f.Object, foots[i].Rows, f.Attempts, now)
	}
	if w.c.Mode == "external" {
		if err := w.setUpExternal(ctx); err != nil {
			return 0, err
		}
		// The external table already reads every file: only the ledger moves.
		in, drop, err := w.stage(ctx, arrays{ledger: w.ledgerRows(es)})
		if err != nil {
			return 0, wrap("write ledger", err)
		}
		defer drop()
		decl := w.d.Declare(&in)
		script, err := join(decl, nil, w.d.Transaction(w.d.WriteLedger(w.c.Dataset, in.Ledger)...), nil)
		if err != nil {
			return 0, err
		}
		return rows, wrap("write ledger", w.query(ctx, script))
	}
	groups := groupBySchema(foots, sizes)
	added, err := w.addColumns(ctx, groups)
	if err != nil {
		return 0, err
	}
	in, drop, err := w.stage(ctx, arrays{files: w.filesRows(objs), ledger: w.ledgerRows(es)})
	if err != nil {
		return 0, wrap("load records", err)
	}
	defer drop()
	in.LoadedAt = w.d.Value(now)
	decl := w.d.Declare(&in)
	build := func(srcs []dialects.BQSource) []string { return w.d.ReplaceRecords(w.c.Dataset, in, srcs, added) }
	return rows, wrap("load records", w.move(ctx, decl, files, groups, build))
}

// move runs the batch's script on the configured path: build renders the
// transaction's statements from the batch's sources.
// decl declares the batch's arrays and opens the script.
func (w *Warehouse) move(ctx context.Context, decl []string, files []warehouse.File, groups []group,
	build func([]dialects.BQSource) []string) error {
	if w.path == PathQuery {
		return w.queryPath(ctx, cycleID(), decl, files, groups, build)
	}
	return w.loadPath(ctx, cycleID(), decl, files, groups, build)
}

// queryPath is path a: one script creates an external table per schema over
// the batch's gs:// files, moves their rows in one transaction, drops them.
func (w *Warehouse) queryPath(ctx context.Context, cycle string, decl []string, files []warehouse.File, groups []group,
	build func([]dialects.BQSource) []string) error {
	script, post, err := w.queryScript(cycle, decl, files, groups, build)
	if err != nil {
		return err
	}
	if err = w.query(ctx, script); err != nil {
		w.dropAll(context.WithoutCancel(ctx), post)
	}
	return err
}

// queryScript renders path a's script and the drops to run should it fail.
func (w *Warehouse) queryScript(cycle string, decl []string, files []warehouse.File, groups []group,
	build func([]dialects.BQSource) []string) (string, []string, error) {
	var pre, post []string
	srcs := make([]dialects.BQSource, len(groups))
	for g, gr := range groups {
		name := fmt.Sprintf("_st_ext_%s_%d", cycle, g)
		uris := make([]string, len(gr.files))
		for j, i := range gr.files {
			uris[j] = w.uri(files[i].Key)
		}
		pre = append(pre, w.d.ExternalFiles(w.c.Dataset, name, gr.cols, uris))
		post = append(post, w.d.DropTable(w.c.Dataset, name, true))
		srcs[g] = w.d.ExternalSource(w.c.Dataset, name, gr.cols)
	}
	script, err := join(decl, pre, w.d.Transaction(build(srcs)...), post)
	return script, post, err
}

func (w *Warehouse) dropAll(ctx context.Context, stmts []string) {
	for _, s := range stmts {
		if err := w.query(ctx, s); err != nil {
			w.log.Warn("could not drop a temporary table; it expires within a day", "sql", s, "err", err)
		}
	}
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
