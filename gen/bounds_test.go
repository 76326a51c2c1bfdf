package gen

import (
	"context"
	"errors"
	"io"
	"math"
	"runtime"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"
)

// Options of more objects than MaxObjects are refused before any is
// planned: a plan holds every object in memory (an audit saw 23 GB), and a
// product of counts may not fit an int. The context is cancelled, so that a
// Generate that does not refuse writes nothing.
func TestGenerateRefusesTooManyObjects(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"one run of MaxObjects files", Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: MaxObjects}},
		{"files overflow", Options{FilesPerRun: math.MaxInt}},
		{"orgs x syncs overflow", Options{Orgs: 1 << 32, SyncsPerOrg: 1 << 32}},
		{"runs", Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: math.MaxInt}},
		{"fact tables tip it over", Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: MaxObjects - 1, Facts: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if n, ok := c.o.Objects(); ok {
				t.Errorf("Objects() = %d, ok; want over %d", n, MaxObjects)
			}
			if _, err := Generate(ctx, b, c.o); !errors.Is(err, ErrTooLarge) {
				t.Errorf("Generate: %v, want ErrTooLarge", err)
			}
		})
	}
	at := Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: MaxObjects - 1}
	if n, ok := at.Objects(); n != MaxObjects || !ok {
		t.Errorf("MaxObjects objects: Objects() = %d, %v", n, ok)
	}
}

// A context cancelled before or while Generate plans stops the planning:
// a plan of MaxObjects objects takes seconds and hundreds of MB, and Ctrl-C
// or SIGTERM must not wait for it. What Generate allocated tells how far it
// planned; the whole plan here is 200,000 files, over 100 MB.
func TestGenerateStopsPlanningWhenCancelled(t *testing.T) {
	o := Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: 200_000, RowsPerFile: 1}
	b := memblob.OpenBucket(nil)
	defer b.Close()
	allocs := func(f func(context.Context, Options) error, ctx context.Context) (uint64, error) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := f(ctx, o)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, err
	}
	plan := func(ctx context.Context, o Options) error { _, err := jobsFor(ctx, o); return err }
	generate := func(ctx context.Context, o Options) error { _, err := Generate(ctx, b, o); return err }
	whole, err := allocs(plan, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := allocs(generate, ctx); !errors.Is(err, context.Canceled) || n > whole/20 {
		t.Errorf("cancelled before: %v after allocating %d of the plan's %d bytes", err, n, whole)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if n, err := allocs(generate, ctx); !errors.Is(err, context.DeadlineExceeded) || n > whole/2 {
		t.Errorf("cancelled at 10ms: %v after allocating %d of the plan's %d bytes", err, n, whole)
	}
}

// One records file of many rows takes minutes to write, and the blob
// drivers' writers do not watch the context: put's writer does, so that a
// cancelled Generate stops inside a file too, leaving no object.
func TestPutStopsWritingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	late := 0 // writes that went through after the cancel
	j := job{file: File{Key: "big.parquet"}, write: func(w io.Writer) error {
		for i := range 100 {
			if i == 10 {
				cancel()
			}
			if _, err := w.Write(make([]byte, 1024)); err != nil {
				return err
			}
			if i >= 10 {
				late++
			}
		}
		return nil
	}}
	if err := put(ctx, b, j); !errors.Is(err, context.Canceled) || late > 0 {
		t.Errorf("put: %v, %d writes after the cancel", err, late)
	}
	if ok, _ := b.Exists(context.Background(), "big.parquet"); ok {
		t.Errorf("a cancelled put left an object")
	}
}
