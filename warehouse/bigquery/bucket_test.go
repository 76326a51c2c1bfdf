package bigquery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob"
	bqv2 "google.golang.org/api/bigquery/v2"
)

// countedBucket is an S3 bucket over the wire (gofakes3) whose object bytes
// are counted per key as they are sent: what passes through synctrack. side
// reaches the same objects through another server, uncounted: BigQuery's
// own reads in the fake.
type countedBucket struct {
	b, side *blob.Bucket
	mu      sync.Mutex
	read    map[string]int64
	total   atomic.Int64
}

const fakeBucket = "sync-logs"

func newCountedBucket(t *testing.T) *countedBucket {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(fakeBucket); err != nil {
		t.Fatal(err)
	}
	s3 := gofakes3.New(backend).Server()
	c := &countedBucket{read: map[string]int64{}}
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countWriter{ResponseWriter: w}
		s3.ServeHTTP(cw, r)
		key := strings.TrimPrefix(r.URL.Path, "/"+fakeBucket+"/")
		if r.Method == http.MethodGet && key != r.URL.Path && key != "" {
			c.mu.Lock()
			c.read[key] += cw.n
			c.mu.Unlock()
			c.total.Add(cw.n)
		}
	}))
	side := httptest.NewServer(s3)
	t.Cleanup(counted.Close)
	t.Cleanup(side.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	open := func(srv *httptest.Server) *blob.Bucket {
		b, err := blob.OpenBucket(context.Background(), "s3://"+fakeBucket+"?region=us-east-1&endpoint="+srv.URL+
			"&use_path_style=true&disable_https=true")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	c.b, c.side = open(counted), open(side)
	return c
}

// bytesRead returns the bytes read of each key since the last call.
func (c *countedBucket) bytesRead() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.read
	c.read = map[string]int64{}
	return out
}

type countWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.ResponseWriter.Write(p)
}

// serverSchema is what BigQuery reads of a file's footer, in the API's
// terms: the fake reads it through the uncounted side of the bucket, with
// the same footer code path b uses.
func serverSchema(c *countedBucket) func(uri string) ([]*bqv2.TableFieldSchema, error) {
	api := map[string]string{"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN"}
	return func(uri string) ([]*bqv2.TableFieldSchema, error) {
		key, ok := strings.CutPrefix(uri, "gs://"+fakeBucket+"/")
		if !ok {
			return nil, fmt.Errorf("not found: %s", uri)
		}
		ctx := context.Background()
		a, err := c.side.Attributes(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("not found: %s", uri)
		}
		side := &Warehouse{c: Config{Bucket: c.side}}
		foot, err := side.readFooter(ctx, key, a.Size)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", uri, err)
		}
		out := make([]*bqv2.TableFieldSchema, len(foot.Columns))
		for i, col := range foot.Columns {
			t := col.Type
			if n, ok := api[t]; ok {
				t = n
			}
			out[i] = &bqv2.TableFieldSchema{Name: col.Name, Type: t, Mode: "NULLABLE"}
		}
		return out, nil
	}
}
