package snowflake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob"

	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// countingS3 is an S3 bucket over the wire whose GET bytes are counted: the
// bytes that pass through synctrack.
func countingS3(t testing.TB) (*blob.Bucket, *atomic.Int64) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("acme-sync-logs"); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	s3 := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countWriter{ResponseWriter: w}
		s3.ServeHTTP(cw, r)
		if r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "" && !r.URL.Query().Has("prefix") {
			n.Add(cw.n)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	b, err := blob.OpenBucket(context.Background(), "s3://acme-sync-logs?region=us-east-1&endpoint="+srv.URL+"&use_path_style=true&disable_https=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, &n
}

type countWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.ResponseWriter.Write(p)
}

// TestCycleCounts measures one cycle for 1, 100 and 5,000 new records files
// in a new run folder (the figures in BENCHMARKS.md): statements, HTTP round
// trips to Snowflake, COPY statements, and bytes read from the bucket by
// synctrack, which must be the run's metadata.json alone.
func TestCycleCounts(t *testing.T) {
	sizes := []int{1, 100, 5000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := sffake.New(t)
			b, read := countingS3(t)
			ctx := context.Background()
			meta := `{"org_id":"o","sync_configuration_id":"s","sync_run_id":"%s","record_payload_schema":{"email":"string"}}`
			put := func(key, body string) {
				if err := b.WriteAll(ctx, key, []byte(body), nil); err != nil {
					t.Fatal(err)
				}
			}
			put("sync_tracking_datasets/o/s/r1/metadata.json", fmt.Sprintf(meta, "r1"))
			put("sync_tracking_datasets/o/s/r1/records_added.0.parquet", "PAR1")
			w := openFake(t, f, "")
			load(t, b, w) // the first cycle creates the tables; measure the steady state
			f.Reset()
			read.Store(0)
			// A new run: its metadata.json and n new records files.
			put("sync_tracking_datasets/o/s/r2/metadata.json", fmt.Sprintf(meta, "r2"))
			for i := range n {
				put(fmt.Sprintf("sync_tracking_datasets/o/s/r2/records_added.%d.parquet", i), strings.Repeat("x", 4096))
			}
			rep := load(t, b, w)
			stmts := f.Statements()
			copies := count(stmts, "COPY INTO")
			trips := 0
			for _, c := range f.Requests() {
				trips += c
			}
			t.Logf("%d new files: %d statements, %d round trips, %d COPY, %d bytes through synctrack (metadata.json %d)",
				n, len(stmts), trips, copies, read.Load(), len(meta))
			if want := (n + 999) / 1000; copies != want || rep.Files != n+1 {
				t.Errorf("%d COPY statements for %d files (report %+v), want %d", copies, n, rep, want)
			}
			if read.Load() > int64(4*len(meta)) {
				t.Errorf("%d bytes read through synctrack, want only metadata.json", read.Load())
			}
		})
	}
}
