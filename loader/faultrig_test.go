package loader_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/faultproxy"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// faultBucket is the name of the fake S3 bucket behind the proxy.
const faultBucket = "bkt"

// faultRig is a generated bucket in the S3 fake, reached by the loader only
// through a fault proxy, and a DuckDB warehouse.
type faultRig struct {
	contents
	bucket *blob.Bucket // the bucket through the proxy: what the loader reads
	proxy  *faultproxy.Proxy
	w      *duckdb.Warehouse
}

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	url := testbucket.S3(t, faultBucket)
	direct := testbucket.Open(t, url)
	o := gen.DefaultOptions()
	o.SyncsPerOrg, o.RunsPerSync, o.RowsPerFile = 2, 2, 40 // 24 records files, 8 runs, 6 fact files
	if _, err := gen.Generate(context.Background(), direct, o); err != nil {
		t.Fatalf("generate: %v", err)
	}
	r := &faultRig{contents: contentsOf(t, direct), proxy: faultproxy.Start(t, testbucket.Endpoint(url))}
	r.bucket = testbucket.Open(t, testbucket.WithEndpoint(url, r.proxy.URL))
	r.w = openWarehouse(t)
	return r
}

// recordsKey is the n-th records key in key order: a fixed file for the
// fault, with files on either side of it.
func (r *faultRig) recordsKey(n int) string {
	keys := make([]string, 0, len(r.records))
	for k := range r.records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[n%len(keys)]
}

// load runs one load through the proxy, with the loader's stall timeout
// (0: the default). A load that has not ended after minutes has hung: that
// fails the test instead of the whole package.
func (r *faultRig) load(t *testing.T, stall time.Duration) (*loader.Report, error) {
	t.Helper()
	type result struct {
		rep *loader.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := loader.New(r.bucket, "", r.w, loader.Options{BatchFiles: 5, Workers: 4, StallTimeout: stall}).
			Load(context.Background())
		done <- result{rep, err}
	}()
	select {
	case res := <-done:
		return res.rep, res.err
	case <-time.After(3 * time.Minute):
	}
	// Hung: stop the proxy, which ends its stalls, so the load can return
	// before the test's cleanup closes the warehouse under it.
	r.proxy.Close()
	res := <-done
	t.Fatalf("the load hung until the proxy stopped; then: %v", res.err)
	return nil, nil
}
