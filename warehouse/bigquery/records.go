package bigquery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

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
// one transaction. Path a is one staging job and one script whatever the file
// count (plus a free dry run per 1,000 files); path b is one load job per file
// into staging tables, then the same two query jobs.
func (w *Warehouse) LoadRecords(ctx context.Context, files []warehouse.File) (warehouse.Loaded, error) {
	n, err := w.loadRecords(ctx, files)
	return warehouse.Loaded{Rows: n}, err
}

func (w *Warehouse) loadRecords(ctx context.Context, files []warehouse.File) (int64, error) {
	if len(files) == 0 {
		return 0, nil
	}
	now := w.now().UTC()
	if w.c.Mode == "external" {
		return w.externalLedger(ctx, files, now)
	}
	objs, sizes := objects(files)
	foots, err := w.schemas(ctx, files)
	if err != nil {
		return 0, err
	}
	var rows int64
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		rows += foots[i].Rows
		es[i] = warehouse.LoadedEntry(f.Object, foots[i].Rows, f.Attempts, f.Note, now)
	}
	groups := groupBySchema(foots, sizes)
	added, err := w.addColumns(ctx, groups)
	if err != nil {
		return 0, err
	}
	in, drop, err := w.stage(ctx, arrays{files: w.filesRows(objs, w.gsPrefix()), ledger: w.ledgerRows(es)})
	if err != nil {
		return 0, wrap("load records", err)
	}
	defer drop()
	in.LoadedAt = w.d.Value(now)
	decl := w.d.Declare(&in)
	build := func(srcs []dialects.BQSource) []string { return w.d.ReplaceRecords(w.c.Dataset, in, srcs, added) }
	counted, err := w.move(ctx, decl, in, files, groups, build)
	if w.path == PathQuery {
		rows = counted
	}
	return rows, wrap("load records", err)
}

// externalLedger is LoadRecords in external mode: the external table already
// reads every file, so only ledger rows are written, their row counts taken
// by BigQuery from that table (one script, which also returns their total).
func (w *Warehouse) externalLedger(ctx context.Context, files []warehouse.File, now time.Time) (int64, error) {
	if err := w.setUpExternal(ctx); err != nil {
		return 0, err
	}
	prefix, err := w.externalPrefix()
	if err != nil {
		return 0, err
	}
	objs, _ := objects(files)
	es := make([]warehouse.LedgerEntry, len(files))
	for i, f := range files {
		es[i] = warehouse.LoadedEntry(f.Object, 0, f.Attempts, f.Note, now) // rows: counted by the script
	}
	in, drop, err := w.stage(ctx, arrays{files: w.filesRows(objs, prefix), ledger: w.ledgerRows(es)})
	if err != nil {
		return 0, wrap("write ledger", err)
	}
	defer drop()
	decl := w.d.Declare(&in)
	uris, set := w.d.CountRows(in, []string{w.table(dialects.ExternalRecordsTable)})
	script, err := join(append(decl, uris), set, w.d.Transaction(w.d.WriteLedger(w.c.Dataset, in.Ledger)...),
		[]string{w.d.SumRows(in.Ledger)})
	if err != nil {
		return 0, err
	}
	rows, err := w.script(ctx, script)
	return rows, wrap("write ledger", err)
}

// schemas learns each file's columns. On path a BigQuery tells them (a dry
// run, probeSchemas) and synctrack reads no byte of the files: their row
// counts are left 0 for the script to count. On path b they come from the
// files' footers, with the row counts; a file whose footer is unreadable
// fails here, before any job is spent on it.
func (w *Warehouse) schemas(ctx context.Context, files []warehouse.File) ([]footer, error) {
	if w.path == PathQuery {
		return w.probeSchemas(ctx, files)
	}
	keys := make([]string, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		keys[i], sizes[i] = f.Key, f.Size
	}
	foots, errs := w.readFooters(ctx, keys, sizes)
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keys[i], err)
		}
	}
	return foots, nil
}

func objects(files []warehouse.File) ([]warehouse.Object, []int64) {
	objs := make([]warehouse.Object, len(files))
	sizes := make([]int64, len(files))
	for i, f := range files {
		objs[i], sizes[i] = f.Object, f.Size
	}
	return objs, sizes
}

// move runs the batch's script on the configured path: build renders the
// transaction's statements from the batch's sources. decl declares the
// batch's arrays (in) and opens the script. On path a it returns the batch's
// row count as BigQuery counted it; on path b, 0 (the footers gave it).
func (w *Warehouse) move(ctx context.Context, decl []string, in dialects.BQBatch, files []warehouse.File, groups []group,
	build func([]dialects.BQSource) []string) (int64, error) {
	if w.path == PathQuery {
		return w.queryPath(ctx, cycleID(), decl, in, files, groups, build)
	}
	return 0, w.loadPath(ctx, cycleID(), decl, files, groups, build)
}

// queryPath is path a: one script creates an external table per schema over
// the batch's gs:// files, counts their rows into the ledger rows, moves
// their rows in one transaction, drops the tables and returns the count.
func (w *Warehouse) queryPath(ctx context.Context, cycle string, decl []string, in dialects.BQBatch, files []warehouse.File,
	groups []group, build func([]dialects.BQSource) []string) (int64, error) {
	script, drops, err := w.queryScript(cycle, decl, in, files, groups, build)
	if err != nil {
		return 0, err
	}
	rows, err := w.script(ctx, script)
	if err != nil {
		w.dropAll(context.WithoutCancel(ctx), drops)
	}
	return rows, err
}

// queryScript renders path a's script and the drops to run should it fail.
func (w *Warehouse) queryScript(cycle string, decl []string, in dialects.BQBatch, files []warehouse.File, groups []group,
	build func([]dialects.BQSource) []string) (string, []string, error) {
	var pre, drops, from []string
	srcs := make([]dialects.BQSource, len(groups))
	for g, gr := range groups {
		name := fmt.Sprintf("_st_ext_%s_%d", cycle, g)
		uris := make([]string, len(gr.files))
		for j, i := range gr.files {
			uris[j] = w.uri(files[i].Key)
		}
		pre = append(pre, w.d.ExternalFiles(w.c.Dataset, name, gr.cols, uris))
		drops = append(drops, w.d.DropTable(w.c.Dataset, name, true))
		srcs[g] = w.d.ExternalSource(w.c.Dataset, name, gr.cols)
		from = append(from, srcs[g].From)
	}
	uris, set := w.d.CountRows(in, from)
	script, err := join(append(decl, uris), append(pre, set...), w.d.Transaction(build(srcs)...),
		append(append([]string(nil), drops...), w.d.SumRows(in.Ledger)))
	return script, drops, err
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
