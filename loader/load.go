package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse"
)

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
	if root != "" && o.BatchBytes <= 0 {
		o.BatchBytes = 1 << 62 // a file:// bucket is read in place or linked, not copied: no staging space to bound
	}
	o.BatchFiles, o.BatchBytes = batchLimits(wh, o.BatchFiles, o.BatchBytes)
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.QuarantineAfter == 0 {
		o.QuarantineAfter = DefaultQuarantineAfter
	}
	return &Loader{bucket: b, root: root, wh: wh, o: o, log: o.Logger}
}

// Plan lists the bucket and compares it with the ledger, read by prefix and
// merged with the listing (PlanStream). It writes nothing.
func (l *Loader) Plan(ctx context.Context) (*Plan, error) {
	prefixes := l.o.Prefixes
	if len(prefixes) == 0 {
		prefixes = []string{RunsPrefix, FactsPrefix}
	}
	ls, listed := ListProgress(BucketListings(l.bucket, l.root, prefixes, l.o.StallTimeout), l.o.Progress)
	p, err := PlanStream(ctx, l.wh, ls)
	listed()
	if err != nil {
		return nil, err
	}
	if p.Unordered {
		l.log.Warn("the bucket listing or the ledger was not in key order; planned with each prefix's ledger in memory")
	}
	if p.VanishedFacts > 0 {
		LogVanishedFacts(l.log, p.VanishedFacts)
	}
	return p, nil
}

// PlanBucket lists the bucket (or the folder root of a file:// bucket, see
// Discover) and plans against a ledger.
func PlanBucket(ctx context.Context, b *blob.Bucket, root string, l Ledger) (*Plan, error) {
	pl := NewPlanner(l)
	if err := discover(ctx, b, root, []string{RunsPrefix, FactsPrefix}, DefaultStallTimeout, func(o Object) error {
		pl.Add(o)
		return nil
	}); err != nil {
		return nil, err
	}
	return pl.Plan(), nil
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
	rep := &Report{Listed: p.Listed, UpToDate: p.UpToDate, Ignored: len(p.Ignored), Runs: p.Runs(), InQuarantine: p.Quarantined,
		ViewsPending: addSyncs(nil, l.o.Views)}
	if err := CheckRoot(l.root); err != nil {
		return rep, err
	}
	_, local := l.wh.(warehouse.LocalReader)
	_, copies := l.wh.(warehouse.LocalCopies)
	_, replacer := l.wh.(warehouse.TextReplacer)
	copies = copies || replacer // both need a staging area for a repair
	var dir string
	if local || copies {
		parent := l.o.StageDir
		if parent == "" {
			parent = os.TempDir()
		}
		d, release, err := newStageDir(parent, l.log)
		if err != nil {
			return rep, warehouse.Classify(fmt.Errorf("staging area in %s: %w", parent, err), warehouse.OSRules)
		}
		defer release()
		dir = d
	}
	var st *Stager
	if local || copies {
		// A warehouse that reads the bucket itself needs the stager only to
		// repair (or count) a file it refused (RepairOnly): nothing else is
		// staged.
		st = &Stager{Bucket: l.bucket, Root: l.root, Dir: dir, Workers: l.o.Workers, StallTimeout: l.o.StallTimeout,
			RepairOnly: !local}
		if prep, ok := l.wh.(warehouse.RecordsPreparer); ok && local {
			st.Prepare = prep.PrepareRecords
		}
	}
	b := &blame{l: l, rep: rep}
	err := l.applySteps(ctx, p, st, rep, b)
	if err == nil {
		err = b.unblamed()
	}
	// Failures are written even when a later step stopped the load, so their
	// attempts count; not when the load was cancelled, which is no failure of theirs.
	if len(b.failed) > 0 && ctx.Err() == nil {
		if rerr := l.wh.Record(ctx, b.failed); rerr != nil && err == nil {
			err = fmt.Errorf("record failures: %w", rerr)
		}
	}
	if err == nil {
		err = l.expire(ctx, rep)
	}
	return rep, err
}

// expire runs the retention pass after a load that stopped on nothing: its
// files are judged by the rows the load just wrote too. Without retention
// the pass still runs, so an engine can undo what an earlier one set up
// (BigQuery's partition expiration); the others return at once.
func (l *Loader) expire(ctx context.Context, rep *Report) error {
	r := warehouse.NewRetention(l.o.RetentionDays, l.o.Now())
	ex, err := l.wh.Expire(ctx, r)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	rep.Expired = ex
	if ex.Rows > 0 || ex.Files > 0 {
		l.log.Info("retention", "days", r.Days, "cutoff", r.Cutoff.Format(time.DateOnly), "rows_deleted", ex.Rows, "files_expired", ex.Files)
	}
	return nil
}

// LogVanishedFacts warns that every loaded fact file is missing from a
// listing that had none (Plan.VanishedFacts): their rows are kept.
func LogVanishedFacts(log *slog.Logger, n int) {
	log.Warn("no fact file is listed under metadata/, though the ledger has loaded ones: their rows are kept, not taken as deleted "+
		"(an unmounted folder or a listing that lost them); they leave once a fact file is listed again and they are not", "loaded_fact_files", n)
}

// LogBadKey warns of an object whose name is not UTF-8 (Plan.BadKeys),
// quoted so that the log stays text.
func LogBadKey(log *slog.Logger, key string) {
	log.Warn("object name is not UTF-8: not loaded; rename it", "key", fmt.Sprintf("%q", key))
}

// applySteps runs the plan's steps in order (bad keys reported, ignored and
// gone objects recorded, then runs, records, facts and the views) and stops
// at the first that fails: Apply still records the failures blamed so far.
func (l *Loader) applySteps(ctx context.Context, p *Plan, st *Stager, rep *Report, b *blame) error {
	for _, o := range p.BadKeys {
		rep.BadKeys = append(rep.BadKeys, o.Key)
		LogBadKey(l.log, o.Key)
	}
	if err := l.recordIgnored(ctx, p.Ignored); err != nil {
		return err
	}
	if err := l.recordGone(ctx, p.Gone, rep); err != nil {
		return err
	}
	syncs, err := l.loadRuns(ctx, p.Metadata, rep, b)
	rep.ViewsPending = addSyncs(rep.ViewsPending, syncs)
	if err != nil {
		return err
	}
	if err := l.loadRecords(ctx, st, p.Records, rep, b); err != nil {
		return err
	}
	if err := l.loadFacts(ctx, st, p.Facts, p.HeldFacts, p.GoneFacts, rep, b); err != nil {
		return err
	}
	if l.o.FindUnbuiltViews {
		if err := l.findUnbuiltViews(ctx, rep); err != nil {
			return err
		}
	}
	if len(rep.ViewsPending) == 0 && rep.Files > 0 && len(l.o.Prefixes) == 0 && p.UpToDate == 0 && p.Quarantined == 0 {
		// A warehouse's first load (the whole bucket listed, nothing in it
		// loaded before) with no metadata.json: sync_log and the analysis
		// views the pages read are installed all the same, as a load with
		// runs installs them (the pages answered 503 until synctrack views
		// was run: found by a review).
		if err := l.wh.RefreshViews(ctx, nil); err != nil {
			return fmt.Errorf("install the views: %w", err)
		}
	}
	if len(rep.ViewsPending) > 0 {
		err := l.wh.RefreshViews(ctx, rep.ViewsPending)
		var own warehouse.ViewErrors
		if err != nil && !errors.As(err, &own) {
			return fmt.Errorf("refresh the typed views of %d syncs: %w", len(rep.ViewsPending), err)
		}
		if shared := own.Shared(len(rep.ViewsPending)); shared != nil {
			return fmt.Errorf("refresh the typed views of %d syncs: %d failed alike, for no sync's own cause: %w",
				len(rep.ViewsPending), len(own), shared)
		}
		rep.ViewsPending, rep.ViewErrors = nil, own
		for _, id := range own.Syncs() {
			reason, _ := warehouse.Explain(own[id])
			l.log.Warn("typed view not rebuilt: its rows are loaded, the view reads as before", "sync", id,
				"reason", reason, "err", own[id])
		}
	}
	return nil
}

// findUnbuiltViews adds to the views this load refreshes those of loaded
// syncs that no refresh built (found by a user audit: a first load stopped
// by Ctrl-C left no typed or analysis view, and every load after it,
// finding its runs loaded, built none).
func (l *Loader) findUnbuiltViews(ctx context.Context, rep *Report) error {
	syncs, err := UnbuiltViews(ctx, l.wh)
	if err != nil {
		return fmt.Errorf("look for loaded syncs without typed views: %w", err)
	}
	var more []string
	for _, id := range syncs {
		if !slices.Contains(rep.ViewsPending, id) {
			more = append(more, id)
		}
	}
	if len(more) > 0 {
		l.log.Warn("loaded syncs without typed views (a load stopped before building them): built now", "syncs", len(more))
		rep.ViewsPending = addSyncs(rep.ViewsPending, more)
	}
	return nil
}

// stagedFiles is the files of s, those that failed to stage too, for
// Stager.Release to remove what the staging made of each.
func stagedFiles(s []Staged) []warehouse.File {
	out := make([]warehouse.File, len(s))
	for i := range s {
		out[i] = s[i].File
	}
	return out
}

// addSyncs is the sorted union of syncs and more.
func addSyncs(syncs, more []string) []string {
	out := slices.Concat(syncs, more)
	slices.Sort(out)
	return slices.Compact(out)
}
