package bigquery_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/gcsbucket"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse/duckdb"
)

// A public bucket, gs://BUCKET?anonymous=true, on a machine without Google
// credentials, read from fake-gcs-server as synctrack opens it
// (internal/gcsbucket): loaded whole, and nothing on stdout. gocloud's
// gcsblob URL opener looked for credentials first and, finding none,
// printed "Warning: unable to load GCP Default Credentials" on stdout, amid
// a load's report. It looks for none under STORAGE_EMULATOR_HOST, so the
// bucket is read twice: through the emulator's address, as the other tests
// here, and as storage.googleapis.com with the emulator unset, its
// requests answered by fake-gcs-server through http.DefaultTransport. The
// bucket is filled through fake-gcs-server's own API, not a gs:// URL:
// gcsblob's opener keeps what it found for the process, and one opened
// under the emulator would hide the warning. (scripts/test.sh runs each
// test here in a process of its own.)
func TestAnonymousBucketReadsAndPrintsNothing(t *testing.T) {
	gcs, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", PublicHost: "127.0.0.1"})
	if err != nil {
		t.Fatalf("fake gcs: %v", err)
	}
	t.Cleanup(gcs.Stop)
	gcs.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "public-logs"})
	objects := fillFromGenerator(t, gcs, "public-logs")

	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("STORAGE_EMULATOR_HOST_GRPC", "")
	t.Setenv("GCE_METADATA_HOST", "")
	t.Setenv("CLOUDSDK_CONFIG", "")
	home := t.TempDir() // no gcloud configuration
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	u, _ := url.Parse(gcs.URL())

	for _, c := range []struct{ name, emulator string }{
		{"storage.googleapis.com", ""},
		{"STORAGE_EMULATOR_HOST", "127.0.0.1:" + u.Port()},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("STORAGE_EMULATOR_HOST", c.emulator)
			if c.emulator == "" {
				next := http.DefaultTransport
				fake := gcs.HTTPClient().Transport
				http.DefaultTransport = roundTripper(func(r *http.Request) (*http.Response, error) {
					if r.URL.Host == "storage.googleapis.com" {
						// The fake's reads (the XML API) answer its public host.
						r = r.Clone(r.Context())
						r.Host = "127.0.0.1"
						return fake.RoundTrip(r)
					}
					return next.RoundTrip(r)
				})
				t.Cleanup(func() { http.DefaultTransport = next })
			}
			stdout := captureStdout(t)
			b, err := gcsbucket.Open(context.Background(), "gs://public-logs?anonymous=true")
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer b.Close()
			w, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "w.duckdb"),
				Schema: "synctrack", MemoryLimit: "512MB"}, time.Now)
			if err != nil {
				t.Fatalf("open duckdb: %v", err)
			}
			defer w.Close()
			rep, err := loader.New(b, "", w, loader.Options{}).Load(context.Background())
			if out := stdout(); out != "" {
				t.Errorf("stdout, which is synctrack's own: %q", out)
			}
			if err != nil || len(rep.Failed) > 0 || rep.Files != objects {
				t.Fatalf("load: %v; %d of %d objects loaded, failed %+v", err, rep.Files, objects, rep.Failed)
			}
		})
	}
}

// fillFromGenerator puts a small generated bucket's objects in the fake
// server's bucket and says how many.
func fillFromGenerator(t *testing.T, gcs *fakestorage.Server, bucket string) int {
	t.Helper()
	ctx := context.Background()
	mem, err := blob.OpenBucket(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	o := smallOptions()
	o.SyncsPerOrg, o.RunsPerSync = 1, 1
	if _, err := gen.Generate(ctx, mem, o); err != nil {
		t.Fatalf("generate: %v", err)
	}
	n := 0
	it := mem.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		raw, err := mem.ReadAll(ctx, obj.Key)
		if err != nil {
			t.Fatal(err)
		}
		gcs.CreateObject(fakestorage.Object{ObjectAttrs: fakestorage.ObjectAttrs{BucketName: bucket, Name: obj.Key,
			Updated: time.Now().Add(-time.Hour)}, Content: raw})
		n++
	}
	return n
}

// captureStdout sends os.Stdout to a pipe until the returned function
// gives back what was written.
func captureStdout(t *testing.T) func() string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, r)
		done <- b.String()
	}()
	restored := false
	restore := func() string {
		if restored {
			return ""
		}
		restored = true
		w.Close()
		os.Stdout = old
		return <-done
	}
	t.Cleanup(func() { restore() })
	return restore
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
