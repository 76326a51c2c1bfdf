package loader

import (
	"context"

	"github.com/synctrack/synctrack/warehouse"
)

// batches splits work by file count and bytes, keeping order.
func (l *Loader) batches(ws []Work) [][]Work {
	var out [][]Work
	var cur []Work
	var bytes int64
	for _, w := range ws {
		if len(cur) > 0 && (len(cur) >= l.o.BatchFiles || bytes+w.Size > l.o.BatchBytes) {
			out = append(out, cur)
			cur, bytes = nil, 0
		}
		cur = append(cur, w)
		bytes += w.Size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (l *Loader) loadRecords(ctx context.Context, st *Stager, ws []Work, rep *Report, fail func(Work, error)) error {
	batches := l.batches(ws)
	// Stage the next batch while this one loads: the bucket and the engine
	// work at once, and at most two batches are on local disk.
	next := make(chan []Staged, 1)
	stage := func(i int) {
		if i < len(batches) {
			go func() { next <- st.Stage(ctx, batches[i]) }()
		}
	}
	stage(0)
	done := 0
	for i, batch := range batches {
		staged := <-next
		if err := ctx.Err(); err != nil {
			st.Release(stagedFiles(staged))
			return err
		}
		stage(i + 1)
		var files []warehouse.File
		for j, s := range staged {
			if s.Err != nil {
				fail(batch[j], s.Err)
				continue
			}
			files = append(files, s.File)
		}
		t := l.o.Now()
		err := l.loadSplit(ctx, files, rep, fail)
		st.Release(stagedFiles(staged))
		l.log.Debug("records batch", "files", len(batch), "load", l.o.Now().Sub(t))
		if err != nil {
			if i+1 < len(batches) {
				st.Release(stagedFiles(<-next))
			}
			return err
		}
		done += len(batch)
		if l.o.Progress != nil {
			l.o.Progress(Progress{FilesDone: done, FilesTotal: len(ws), Rows: rep.Rows})
		}
	}
	return nil
}

// loadSplit loads files in one transaction; when that fails it halves the batch
// until the files that fail are alone, so one bad file never holds back the rest.
func (l *Loader) loadSplit(ctx context.Context, files []warehouse.File, rep *Report, fail func(Work, error)) error {
	if len(files) == 0 {
		return nil
	}
	rows, err := l.wh.LoadRecords(ctx, files)
	if err == nil {
		rep.Files += len(files)
		rep.Rows += rows
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if len(files) == 1 {
		f := files[0]
		fail(Work{Object: f.Object, Attempts: f.Attempts}, err)
		return nil
	}
	l.log.Debug("batch failed, splitting", "files", len(files), "err", err)
	mid := len(files) / 2
	if err := l.loadSplit(ctx, files[:mid], rep, fail); err != nil {
		return err
	}
	return l.loadSplit(ctx, files[mid:], rep, fail)
}
