package gen

import (
	"context"
	"errors"
	"math"
	"testing"

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
