package bigquery

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// maxRetries bounds how often one call runs its script again without the
// files a failed script named. Each rerun costs a staging job and a script,
// as the loader's next call would, but no dry run or load job again.
const maxRetries = 3

// batch is the files of one LoadRecords or ReplaceFacts and what each
// attempt at moving them shares.
type batch struct {
	files []warehouse.File
	foots []footer
	now   time.Time
	// records: sync_records, which takes the columns files bring.
	records bool
	// whole: any file failing makes the attempt stop before its script, so
	// that the caller can report it (a fact table is rebuilt from all).
	whole bool
	// build renders the transaction's statements over the batch's arrays
	// and its sources (one per schema).
	build func(in dialects.BQBatch, srcs []dialects.BQSource, added []dialects.AddedColumn) []string
}

// retry runs attempt over the files not failed yet (by index into files)
// until it succeeds: an attempt whose error names some of its files
// (named) is run again without them, at most maxRetries times. It returns
// the rows moved and every file that failed alone.
func (w *Warehouse) retry(ctx context.Context, failed map[int]error, files []warehouse.File,
	attempt func(live []int) (int64, map[int]error, error)) (warehouse.Loaded, error) {
	for try := 0; ; try++ {
		var live []int
		for i := range files {
			if _, bad := failed[i]; !bad {
				live = append(live, i)
			}
		}
		if len(live) == 0 {
			return warehouse.Loaded{Failed: fileErrors(files, failed)}, nil
		}
		rows, bad, err := attempt(live)
		maps.Copy(failed, bad)
		if err == nil {
			return warehouse.Loaded{Rows: rows, Failed: fileErrors(files, failed)}, nil
		}
		blamed := named(err, files, live)
		if len(blamed) == 0 || try == maxRetries || ctx.Err() != nil {
			return warehouse.Loaded{}, err
		}
		for _, i := range blamed {
			failed[i] = blame(err, files[i].Key)
			w.log.Info("BigQuery could not read a file; loading the rest without it", "key", files[i].Key, "err", err)
		}
	}
}

// attempt moves the rows of the files at live (indexes into b.files) and
// writes their ledger rows, in one transaction. On path b each file's load
// job comes first: a file whose job fails on its data is returned in bad and
// left out of the script.
func (w *Warehouse) attempt(ctx context.Context, b *batch, live []int) (int64, map[int]error, error) {
	files := make([]warehouse.File, len(live))
	foots := make([]footer, len(live))
	for j, i := range live {
		files[j], foots[j] = b.files[i], b.foots[i]
	}
	objs, sizes := objects(files)
	groups := groupBySchema(foots, sizes)
	var added []dialects.AddedColumn
	if b.records {
		var err error
		if added, err = w.addColumns(ctx, groups); err != nil {
			return 0, nil, err
		}
	}
	es := make([]warehouse.LedgerEntry, len(files))
	for j, f := range files {
		es[j] = warehouse.LoadedEntry(f.Object, foots[j].Rows, f.Attempts, f.Note, b.now) // 0 on path a: the script counts them
	}
	rows := arrays{files: w.filesRows(objs, w.gsPrefix()), ledger: w.ledgerRows(es)}
	cycle := cycleID()
	if w.pathFor(files) == PathQuery {
		in, drop, err := w.stage(ctx, rows)
		if err != nil {
			return 0, nil, err
		}
		defer drop()
		in.LoadedAt = w.d.Value(b.now)
		build := func(srcs []dialects.BQSource) []string { return b.build(in, srcs, added) }
		n, err := w.queryPath(ctx, cycle, w.d.Declare(&in), in, files, groups, build)
		return n, nil, err
	}

	// Path b. The batch's arrays are checked before any load job is spent.
	if _, _, _, err := w.prepare(rows); err != nil {
		return 0, nil, err
	}
	srcs, tables, failed, err := w.loadJobs(ctx, cycle, files, groups)
	defer w.dropTables(context.WithoutCancel(ctx), tables)
	if err != nil {
		return 0, nil, err
	}
	bad := map[int]error{}
	keep := make([]bool, len(files))
	var n int64
	for j := range files {
		if e, ok := failed[j]; ok {
			bad[live[j]] = e
		} else {
			keep[j], n = true, n+foots[j].Rows
		}
	}
	if len(bad) == len(files) || len(bad) > 0 && b.whole {
		return 0, bad, nil
	}
	in, drop, err := w.stage(ctx, arrays{files: kept(rows.files, keep), ledger: kept(rows.ledger, keep)})
	if err != nil {
		return 0, nil, err
	}
	defer drop()
	in.LoadedAt = w.d.Value(b.now)
	script, err := join(w.d.Declare(&in), nil, w.d.Transaction(b.build(in, srcs, added)...), nil)
	if err == nil {
		err = w.query(ctx, script)
	}
	if err != nil {
		return 0, nil, err
	}
	return n, bad, nil
}

// kept returns the rows whose keep is true. A files row keeps its n, which
// names its staging table.
func kept(rows [][]any, keep []bool) [][]any {
	var out [][]any
	for j, r := range rows {
		if keep[j] {
			out = append(out, r)
		}
	}
	return out
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
