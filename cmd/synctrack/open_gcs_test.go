package main

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// `synctrack load --bucket 'gs://BUCKET?anonymous=true'` on a machine
// without Google credentials: gocloud's gcsblob URL opener looked them up
// anyway and printed "Warning: unable to load GCP Default Credentials: ..."
// on stdout, ahead of the load's report (and then read the public bucket
// with empty service-account credentials, which could fetch no token).
// Now stdout is the report alone, and every object is read, without
// credentials, from the bucket the URL names. No emulator: gcsblob's
// opener looks for no credentials under STORAGE_EMULATOR_HOST, so the
// requests for storage.googleapis.com are answered by fakeGCS instead,
// through http.DefaultTransport, which gocloud's clients use. prefix=, the
// URL mux's, still applies, and a parameter gcsblob does not know or a
// value it cannot read is still a usage error (exit 2), stdout empty.
func TestLoadAnonymousGCSBucketStdoutIsTheReport(t *testing.T) {
	dir := generateBucket(t, "--orgs", "1", "--syncs", "1", "--runs", "1", "--files", "2", "--rows", "10")
	gcs := newFakeGCS(t, "sync-logs", dir, "mirror/")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	t.Setenv("STORAGE_EMULATOR_HOST_GRPC", "")
	t.Setenv("CLOUDSDK_CONFIG", "")
	home := t.TempDir() // no gcloud configuration, so no credentials there
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GCE_METADATA_HOST", "") // set, it says "on GCE", where credentials come from the metadata server

	for _, q := range []string{"anonymous=true&prefix=mirror/", "access_id=-&prefix=mirror/"} {
		gcs.reset()
		bucket := "gs://sync-logs?" + q
		code, stdout, stderr := runCLIAll(t, "load", "--bucket", bucket,
			"--warehouse", "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
		if code != 0 {
			t.Fatalf("load %s: exit %d\nstdout:\n%s\nstderr:\n%s", bucket, code, stdout, stderr)
		}
		if !strings.HasPrefix(stdout, "listed ") || strings.Contains(stdout, "Warning") {
			t.Errorf("load %s: stdout is not the load's report alone:\n%s", bucket, stdout)
		}
		if want := fmt.Sprintf("listed %d objects: 0 already loaded, %d loaded now", len(gcs.objects), len(gcs.objects)); !strings.Contains(stdout, want) {
			t.Errorf("load %s: report says no %q:\n%s", bucket, want, stdout)
		}
		if len(gcs.read()) != len(gcs.objects) {
			t.Errorf("load %s: objects read %v, want all %d", bucket, gcs.read(), len(gcs.objects))
		}
		if auth := gcs.authorized(); auth != 0 {
			t.Errorf("load %s: %d requests carried credentials; an anonymous URL asks for none", bucket, auth)
		}
	}

	for q, says := range map[string]string{
		"anonymous=true&x=1":                `invalid query parameter "x"`,
		"anonymous=true&grpc=maybe":         `invalid value "maybe" for query parameter "grpc"`,
		"access_id=-&zonal=true&grpc=false": `"zonal=true" cannot be combined with "grpc=false"`,
		"anonymous=maybe&access_id=-":       `invalid value "maybe" for query parameter "anonymous"`,
	} {
		bucket := "gs://sync-logs?" + q
		code, stdout, stderr := runCLIAll(t, "load", "--bucket", bucket,
			"--warehouse", "duckdb://"+filepath.Join(t.TempDir(), "w.duckdb"))
		if code != 2 || stdout != "" || !strings.Contains(stderr, says) {
			t.Errorf("load %s: exit %d, stdout %q, stderr %q; want 2 saying %q", bucket, code, stdout, stderr, says)
		}
	}
}

// fakeGCS answers a GCS client's requests for storage.googleapis.com with
// one bucket's objects, the files under a directory, through
// http.DefaultTransport while a test runs: what gocloud's gcsblob asks of
// the JSON API (list, attributes) and of the XML API (ranged reads).
type fakeGCS struct {
	bucket  string
	objects map[string][]byte
	updated time.Time

	mu    sync.Mutex
	reads map[string]bool
	auth  int
}

func newFakeGCS(t *testing.T, bucket, dir, prefix string) *fakeGCS {
	t.Helper()
	f := &fakeGCS{bucket: bucket, objects: map[string][]byte{}, updated: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		f.objects[prefix+filepath.ToSlash(rel)] = raw
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	next := http.DefaultTransport
	http.DefaultTransport = roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host != "storage.googleapis.com" {
			return next.RoundTrip(r)
		}
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, r)
		return rec.Result(), nil
	})
	t.Cleanup(func() { http.DefaultTransport = next })
	return f
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (f *fakeGCS) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads, f.auth = map[string]bool{}, 0
}

// read is the objects whose bytes were asked for.
func (f *fakeGCS) read() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k := range f.reads {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// authorized counts the requests that carried an Authorization header.
func (f *fakeGCS) authorized() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auth
}

func (f *fakeGCS) attrs(key string) map[string]any {
	sum := md5.Sum(f.objects[key])
	return map[string]any{"kind": "storage#object", "bucket": f.bucket, "name": key,
		"size": fmt.Sprint(len(f.objects[key])), "generation": "1", "metageneration": "1",
		"contentType": "application/octet-stream", "md5Hash": base64.StdEncoding.EncodeToString(sum[:]),
		"etag": fmt.Sprintf("%x", sum), "timeCreated": f.updated.Format(time.RFC3339), "updated": f.updated.Format(time.RFC3339)}
}

func (f *fakeGCS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if r.Header.Get("Authorization") != "" {
		f.auth++
	}
	f.mu.Unlock()
	path := r.URL.EscapedPath()
	list := "/storage/v1/b/" + f.bucket + "/o"
	switch {
	case r.Method == http.MethodGet && path == list:
		f.list(w, r.URL.Query())
	case r.Method == http.MethodGet && strings.HasPrefix(path, list+"/"):
		key, err := url.PathUnescape(strings.TrimPrefix(path, list+"/"))
		if _, ok := f.objects[key]; err != nil || !ok {
			http.Error(w, `{"error":{"code":404,"message":"No such object"}}`, http.StatusNotFound)
			return
		}
		if r.URL.Query().Get("alt") == "media" {
			f.media(w, r, key)
			return
		}
		json.NewEncoder(w).Encode(f.attrs(key))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/"+f.bucket+"/"):
		key, err := url.PathUnescape(strings.TrimPrefix(path, "/"+f.bucket+"/"))
		if _, ok := f.objects[key]; err != nil || !ok {
			http.Error(w, "<Error><Code>NoSuchKey</Code></Error>", http.StatusNotFound)
			return
		}
		f.media(w, r, key)
	default:
		http.Error(w, `{"error":{"code":400,"message":"not faked"}}`, http.StatusBadRequest)
	}
}

func (f *fakeGCS) list(w http.ResponseWriter, q url.Values) {
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	var items []map[string]any
	var prefixes []string
	seen := map[string]bool{}
	keys := make([]string, 0, len(f.objects))
	for k := range f.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				if p := k[:len(prefix)+i+len(delim)]; !seen[p] {
					seen[p] = true
					prefixes = append(prefixes, p)
				}
				continue
			}
		}
		items = append(items, f.attrs(k))
	}
	json.NewEncoder(w).Encode(map[string]any{"kind": "storage#objects", "items": items, "prefixes": prefixes})
}

func (f *fakeGCS) media(w http.ResponseWriter, r *http.Request, key string) {
	f.mu.Lock()
	f.reads[key] = true
	f.mu.Unlock()
	w.Header().Set("X-Goog-Generation", "1")
	w.Header().Set("X-Goog-Metageneration", "1")
	w.Header().Set("X-Goog-Stored-Content-Length", fmt.Sprint(len(f.objects[key])))
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, key, f.updated, bytes.NewReader(f.objects[key]))
}
