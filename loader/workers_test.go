package loader_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// inFlight wraps an S3 server and records, per kind of object, the most GETs
// it had in flight at once. Each GET is held a little, as an object store
// answers after tens of milliseconds.
type inFlight struct {
	h     http.Handler
	delay time.Duration
	mu    sync.Mutex
	now   map[string]int
	peak  map[string]int
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := ""
	switch {
	case r.Method != http.MethodGet || r.URL.Query().Has("list-type"):
	case strings.HasSuffix(r.URL.Path, "metadata.json"):
		kind = "metadata"
	case strings.Contains(r.URL.Path, "/sync_tracking_datasets/"):
		kind = "records"
	}
	if kind != "" {
		f.mu.Lock()
		f.now[kind]++
		f.peak[kind] = max(f.peak[kind], f.now[kind])
		f.mu.Unlock()
		time.Sleep(f.delay)
		defer func() { f.mu.Lock(); f.now[kind]--; f.mu.Unlock() }()
	}
	f.h.ServeHTTP(w, r)
}

// latentS3 serves a fresh in-process S3 bucket through f, holding every GET
// of an object for delay, and returns the bucket.
func latentS3(tb testing.TB, delay time.Duration) (*blob.Bucket, *inFlight) {
	backend := s3mem.New()
	if err := backend.CreateBucket("b"); err != nil {
		tb.Fatal(err)
	}
	f := &inFlight{h: gofakes3.New(backend).Server(), delay: delay, now: map[string]int{}, peak: map[string]int{}}
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	tb.Setenv("AWS_ACCESS_KEY_ID", "test")
	tb.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return testbucket.Open(tb, "s3://b?region=us-east-1&endpoint="+srv.URL+"&use_path_style=true&disable_https=true"), f
}

// A first load reads metadata.json files and stages records files several at
// a time, never more than Workers, and loads everything.
func TestLoadReadsObjectsConcurrently(t *testing.T) {
	ctx := context.Background()
	b, f := latentS3(t, 20*time.Millisecond)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 6, 2, 10
	m, err := gen.Generate(ctx, b, o)
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	w := openWarehouse(t)
	rep, err := loader.New(b, "", w, loader.Options{Workers: workers}).Load(ctx)
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("load: %v %v", err, rep.Failed)
	}
	if rep.Files != len(m.Files) {
		t.Fatalf("%d objects loaded, want %d", rep.Files, len(m.Files))
	}
	for _, kind := range []string{"metadata", "records"} {
		if p := f.peak[kind]; p < 2 || p > workers {
			t.Errorf("%s: at most %d GETs in flight, want 2..%d", kind, p, workers)
		}
	}
}

// BenchmarkRemoteLoad loads 1,106 objects (100 run folders of 10 records
// files, their metadata.json, fact files) from S3 over its wire protocol with
// 30 ms held on every object GET, as an object store answers, reading 1, 4
// (the old default), 16 (the default) and 32 objects at once. It reports
// each time and its ratio to 4's, measured in the same process:
//
//	go test -run '^$' -bench RemoteLoad -benchtime 1x ./loader
func BenchmarkRemoteLoad(b *testing.B) {
	ctx := context.Background()
	bkt, f := latentS3(b, 0)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 2, 5, 10, 10, 100
	if _, err := gen.Generate(ctx, bkt, o); err != nil {
		b.Fatal(err)
	}
	f.delay = 30 * time.Millisecond
	took := map[int]time.Duration{}
	for range b.N {
		for _, n := range []int{4, 1, 16, 32} {
			w := openWarehouse(b)
			start := time.Now()
			rep, err := loader.New(bkt, "", w, loader.Options{Workers: n}).Load(ctx)
			if err != nil || len(rep.Failed) > 0 {
				b.Fatalf("load: %v %v", err, rep.Failed)
			}
			took[n] += time.Since(start)
			w.Close()
		}
	}
	for _, n := range []int{1, 4, 16, 32} {
		b.Logf("workers %2d: %7.2f s per load, %.2fx the time of 4", n, took[n].Seconds()/float64(b.N), float64(took[n])/float64(took[4]))
	}
}
