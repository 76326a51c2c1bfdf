package daemon

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A file:// bucket is walked from its folder (loader.Discover with its
// root); on plain names the plan must be the one of fileblob's listing,
// etags and stray objects between the folders included.
func TestPlanWalkedListingMatchesLoader(t *testing.T) {
	ctx := context.Background()
	url, dir := testbucket.Dir(t)
	b := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 2, 2, 2, 2, 5
	if _, err := gen.Generate(ctx, b, o); err != nil {
		t.Fatal(err)
	}
	var org string
	for _, k := range []string{"sync_tracking_datasets/stray.txt", "sync_tracking_datasets/x.parquet"} {
		if err := b.WriteAll(ctx, k, []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	it := b.List(nil)
	for org == "" {
		lo, err := it.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c := loader.Classify(lo.Key); c.Kind == loader.KindRecords {
			org = c.OrgID
		}
	}
	if err := b.WriteAll(ctx, "sync_tracking_datasets/"+org+"/loose.parquet", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	want, err := loader.PlanBucket(ctx, b, "", loader.Ledger{})
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{d: &Daemon{}, log: slog.New(slog.DiscardHandler), bucket: b, root: dir}
	got, err := tg.plan(ctx, loader.Ledger{}, scope{runs: true, facts: true,
		folders: map[string]bool{"sync_tracking_datasets/" + org + "/": true}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Listed != want.Listed || len(got.Records) != len(want.Records) || len(got.Metadata) != len(want.Metadata) ||
		len(got.Ignored) != len(want.Ignored) || len(got.Facts) != len(want.Facts) {
		t.Fatalf("walked plan: listed %d, %d records, %d metadata, %d ignored, %d fact tables; loader: %d, %d, %d, %d, %d",
			got.Listed, len(got.Records), len(got.Metadata), len(got.Ignored), len(got.Facts),
			want.Listed, len(want.Records), len(want.Metadata), len(want.Ignored), len(want.Facts))
	}
	for i := range want.Records {
		if got.Records[i].Key != want.Records[i].Key || got.Records[i].ETag != want.Records[i].ETag {
			t.Fatalf("record %d: %s %s, want %s %s", i, got.Records[i].Key, got.Records[i].ETag, want.Records[i].Key, want.Records[i].ETag)
		}
	}
	if len(want.Ignored) < 3 {
		t.Fatalf("the stray objects are not in the plan: %d ignored", len(want.Ignored))
	}

	// The streamed ledger read is the loader's ledger.
	c, _ := duckdb.ParseURL("duckdb://" + filepath.Join(t.TempDir(), "w.duckdb"))
	wh, err := duckdb.Open(ctx, c, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if _, err := loader.New(b, dir, wh, loader.Options{}).Load(ctx); err != nil {
		t.Fatal(err)
	}
	// Planned again, the split listing merged with the ledger read by prefix
	// finds nothing to do, and agrees with the loader's own plan.
	again, err := tg.plan(ctx, wh, scope{runs: true, facts: true})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := loader.New(b, dir, wh, loader.Options{}).Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Unordered || again.Listed != want.Listed || again.UpToDate != again.Listed || len(again.Records)+len(again.Metadata)+len(again.Ignored) != 0 {
		t.Fatalf("after a load: unordered %v, listed %d (want %d), up to date %d, %d records, %d metadata, %d ignored",
			again.Unordered, again.Listed, want.Listed, again.UpToDate, len(again.Records), len(again.Metadata), len(again.Ignored))
	}
	if ref.Unordered || ref.Listed != again.Listed || ref.UpToDate != again.UpToDate {
		t.Fatalf("loader plan: unordered %v, listed %d, up to date %d; daemon's: %d, %d", ref.Unordered, ref.Listed, ref.UpToDate, again.Listed, again.UpToDate)
	}
}
