package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
)

// Options tune a Loader. The zero value works.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// StageDir is where remote objects are copied for a local engine; a fresh
	// directory under the system temp dir when empty. It is removed after.
	StageDir string
	// BatchFiles and BatchBytes bound one batch: one statement, one transaction,
	// and the most staged on disk at once.
	BatchFiles int
	BatchBytes int64
	// Workers bounds concurrent downloads while staging.
	Workers int
	// Progress, when set, is told after each batch.
	Progress func(Progress)
	// Prefixes limits a load to these bucket prefixes (see DiscoverPrefixes):
	// FactsPrefix alone refreshes the fact tables, a run folder loads that run.
	// Empty means both RunsPrefix and FactsPrefix.
	Prefixes []string
}

// Progress is how far a load has got.
type Progress struct {
	FilesDone, FilesTotal int
	Rows                  int64
}

// Failure is one object that could not be loaded, and why.
type Failure struct {
	Key string
	Err error
}

// Report says what a load did.
type Report struct {
	Listed   int
	UpToDate int
	Files    int // objects loaded (records, metadata and fact files)
	Rows     int64
	Runs     int // run folders touched
	Ignored  int
	Failed   []Failure
	Elapsed  time.Duration
}

// maxMetadataBytes bounds how much of a metadata.json is read.
const maxMetadataBytes = 16 << 20

// Loader loads one bucket into one warehouse.
type Loader struct {
	bucket *blob.Bucket
	root   string
	wh     warehouse.Warehouse
	o      Options
	log    *slog.Logger
}

// New returns a Loader. root is the local directory of a file:// bucket, or "".
func New(b *blob.Bucket, root string, wh warehouse.Warehouse, o Options) *Loader {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchFiles <= 0 {
		o.BatchFiles = 1000
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 256 << 20
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	return &Loader{bucket: b, root: root, wh: wh, o: o, log: o.Logger}
}

// Plan lists the bucket and compares it with the ledger. It writes nothing.
func (l *Loader) Plan(ctx context.Context) (*Plan, error) {
	rows, err := l.wh.Ledger(ctx)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	if len(l.o.Prefixes) > 0 {
		return planPrefixes(ctx, l.bucket, l.o.Prefixes, NewLedger(rows))
	}
	return PlanBucket(ctx, l.bucket, NewLedger(rows))
}

// PlanBucket lists the bucket and plans against a ledger.
func PlanBucket(ctx context.Context, b *blob.Bucket, l Ledger) (*Plan, error) {
	return planPrefixes(ctx, b, []string{RunsPrefix, FactsPrefix}, l)
}

func planPrefixes(ctx context.Context, b *blob.Bucket, prefixes []string, l Ledger) (*Plan, error) {
	var objs []Object
	if err := DiscoverPrefixes(ctx, b, prefixes, func(o Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		return nil, err
	}
	return Build(objs, l), nil
}

// Load plans and applies a load. Objects that fail are in the report and the
// ledger; the error is for what stopped the whole load.
func (l *Loader) Load(ctx context.Context) (*Report, error) {
	start := l.o.Now()
	p, err := l.Plan(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := l.Apply(ctx, p)
	if rep != nil {
		rep.Elapsed = l.o.Now().Sub(start)
	}
	return rep, err
}

// Apply carries out a plan: run metadata first, then records, then facts, then
// the views, then the ledger rows of whatever failed.
func (l *Loader) Apply(ctx context.Context, p *Plan) (*Report, error) {
	rep := &Report{Listed: p.Listed, UpToDate: p.UpToDate, Ignored: len(p.Ignored), Runs: p.Runs()}
	dir := l.o.StageDir
	if _, local := l.wh.(warehouse.LocalReader); dir == "" && local {
		d, err := os.MkdirTemp("", "synctrack-stage-")
		if err != nil {
			return rep, fmt.Errorf("staging area: %w", err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	st := &Stager{Bucket: l.bucket, Root: l.root, Dir: dir, Workers: l.o.Workers}
	if _, local := l.wh.(warehouse.LocalReader); !local {
		st = nil // the warehouse reads the bucket itself: nothing to stage
	}
	var failed []Work
	fail := func(w Work, err error) {
		l.log.Warn("object failed", "key", w.Key, "attempt", w.Attempts, "err", err)
		rep.Failed = append(rep.Failed, Failure{Key: w.Key, Err: err})
		failed = append(failed, w)
	}

	if err := l.recordIgnored(ctx, p.Ignored); err != nil {
		return rep, err
	}
	syncs, err := l.loadRuns(ctx, p.Metadata, rep, fail)
	if err != nil {
		return rep, err
	}
	if err := l.loadRecords(ctx, st, p.Records, rep, fail); err != nil {
		return rep, err
	}
	if err := l.loadFacts(ctx, st, p.Facts, rep, fail); err != nil {
		return rep, err
	}
	if len(syncs) > 0 {
		if err := l.wh.RefreshViews(ctx, syncs); err != nil {
			return rep, fmt.Errorf("refresh views: %w", err)
		}
	}
	return rep, l.recordFailures(ctx, failed, rep.Failed)
}

func (l *Loader) recordIgnored(ctx context.Context, objs []Object) error {
	if len(objs) == 0 {
		return nil
	}
	now := l.o.Now().UTC()
	es := make([]warehouse.LedgerEntry, len(objs))
	for i, o := range objs {
		es[i] = warehouse.LedgerEntry{Key: o.Key, ETag: o.ETag, Size: o.Size, Kind: o.Kind,
			Status: warehouse.StatusSkipped, Error: "not Sync Tracking data: ignored",
			Attempts: 1, FirstSeenAt: now}
	}
	if err := l.wh.Record(ctx, es); err != nil {
		return fmt.Errorf("record ignored objects: %w", err)
	}
	return nil
}

func (l *Loader) recordFailures(ctx context.Context, ws []Work, fs []Failure) error {
	if len(ws) == 0 {
		return nil
	}
	now := l.o.Now().UTC()
	es := make([]warehouse.LedgerEntry, len(ws))
	for i, w := range ws {
		es[i] = warehouse.LedgerEntry{Key: w.Key, ETag: w.ETag, Size: w.Size, Kind: w.Kind,
			Status: warehouse.StatusFailed, Error: fs[len(fs)-len(ws)+i].Err.Error(),
			Attempts: w.Attempts, FirstSeenAt: now}
	}
	if err := l.wh.Record(ctx, es); err != nil {
		return fmt.Errorf("record failures: %w", err)
	}
	return nil
}

// loadRuns parses each metadata.json and loads the good ones together.
func (l *Loader) loadRuns(ctx context.Context, ws []Work, rep *Report, fail func(Work, error)) ([]string, error) {
	var runs []warehouse.Run
	for _, w := range ws {
		raw, err := l.readSmall(ctx, w.Key)
		if err != nil {
			fail(w, err)
			continue
		}
		m, err := ParseMetadata(raw, w.OrgID, w.SyncID, w.RunID)
		if err != nil {
			fail(w, err)
			continue
		}
		runs = append(runs, warehouse.Run{Object: w.Object, Meta: m, Attempts: w.Attempts})
	}
	if len(runs) == 0 {
		return nil, nil
	}
	if err := l.wh.LoadRuns(ctx, runs); err != nil {
		return nil, fmt.Errorf("load %d run metadata files: %w", len(runs), err)
	}
	seen := map[string]bool{}
	var syncs []string
	for _, r := range runs {
		if id := r.Meta.SyncConfigurationID; !seen[id] {
			seen[id] = true
			syncs = append(syncs, id)
		}
	}
	sort.Strings(syncs)
	rep.Files += len(runs)
	return syncs, nil
}

func (l *Loader) readSmall(ctx context.Context, key string) ([]byte, error) {
	r, err := l.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer r.Close()
	raw, err := io.ReadAll(io.LimitReader(r, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(raw) > maxMetadataBytes {
		return nil, fmt.Errorf("metadata.json larger than %d bytes", maxMetadataBytes)
	}
	return raw, nil
}

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

func (l *Loader) loadFacts(ctx context.Context, st *Stager, facts map[string][]Work, rep *Report, fail func(Work, error)) error {
	tables := make([]string, 0, len(facts))
	for t := range facts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		ws := facts[t]
		staged := st.Stage(ctx, ws)
		var files []warehouse.File
		for i, s := range staged {
			if s.Err != nil {
				fail(ws[i], s.Err)
				continue
			}
			files = append(files, s.File)
		}
		err := l.wh.ReplaceFacts(ctx, t, files)
		st.Release(stagedFiles(staged))
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		// On failure the table keeps its old rows; the new files are failures,
		// retried next time. Either way the other tables still load.
		for i, w := range ws {
			switch {
			case w.Reason == "" || staged[i].Err != nil:
			case err != nil:
				fail(w, fmt.Errorf("rebuild %s: %w", t, err))
			default:
				rep.Files++
			}
		}
	}
	return nil
}

func stagedFiles(s []Staged) []warehouse.File {
	out := make([]warehouse.File, len(s))
	for i := range s {
		out[i] = s[i].File
	}
	return out
}

// ErrFailed is returned by callers that turn a report with failures into an error.
var ErrFailed = errors.New("some objects failed to load")
