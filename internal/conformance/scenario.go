package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// scenario is the state the steps share: one bucket, one warehouse, the
// ledger they must have left, and the last load's outcome.
type scenario struct {
	h    Harness
	b    Bucket
	wh   warehouse.Warehouse
	want ledger
	rep  *loader.Report
	err  error
	k    keys
	last string // the object the step wrote for its load to load
	ans  answers
	// What the retention step must expire: the files, and their rows.
	expiring    []string
	expiredRows int64
}

// keys names the objects the steps act on, picked from the generated bucket.
type keys struct {
	lateSrc, late string // a records file of the oldest run, and a late batch beside it
	changed       string // a records file of another run, rewritten
	// New objects in the newest run, loaded together: one good, one
	// truncated (fixed later), one empty.
	good, truncated, empty string
	later                  string // a file three days newer, kept by retention
	// A fact file rewritten half-written, a new one of another org, and a
	// second file of the same org giving one of its ids again.
	fact, newFact, factAgain string
}

// bucketOptions is a small bucket with the generator's irregular shapes: two
// syncs (one with a non-numeric id and hostile field names), two runs each
// (one with a legacy file name), a millisecond and a local-time file, facts.
func bucketOptions() gen.Options {
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 2, 10
	return o
}

// changedRows is the row count of a changed object's new version: not the
// bucket's, so old rows left behind or kept show in the count.
const changedRows = 7

func newScenario(t *testing.T, h Harness) *scenario {
	t.Helper()
	b := h.NewBucket(t)
	if _, err := gen.Generate(context.Background(), b.Bucket, bucketOptions()); err != nil {
		t.Fatalf("generate: %v", err)
	}
	s := &scenario{h: h, b: b, want: ledger{}}
	var records []string
	for _, o := range s.objects(t) {
		if strings.HasSuffix(o.Key, ".parquet") && strings.HasPrefix(o.Key, loader.RunsPrefix) {
			records = append(records, o.Key)
		}
	}
	if len(records) < 4 {
		t.Fatalf("generated bucket has %d records files, want at least 4", len(records))
	}
	sort.Strings(records)
	oldest, newest := path.Dir(records[0])+"/", path.Dir(records[len(records)-1])+"/"
	s.k = keys{lateSrc: records[0], late: oldest + "records_updated.99.parquet", good: newest + "records_updated.96.parquet",
		truncated: newest + "records_updated.97.parquet", empty: newest + "records_updated.98.parquet"}
	for _, r := range records {
		if !strings.HasPrefix(r, oldest) {
			s.k.changed = r
			break
		}
	}
	s.wh = h.Open(t, b)
	return s
}

// load runs one load of the whole bucket and keeps its outcome for the
// checks: an error is theirs to report, not a reason to stop the suite.
func (s *scenario) load(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s.rep, s.err = loader.New(s.b.Bucket, s.b.Root, s.wh, loader.Options{FindUnbuiltViews: true}).Load(ctx) // as synctrack load
	if s.rep == nil {
		s.rep = &loader.Report{}
	}
	t.Logf("%s: load: %d files, %d rows, %d failed, err %v (%s)", s.h.Name, s.rep.Files, s.rep.Rows,
		len(s.rep.Failed), s.err, s.rep.Elapsed.Round(time.Millisecond))
}

// object is one listed object of the bucket.
type object struct {
	Key, ETag string
	Size      int64
}

// objects lists what the loader would: the runs and facts prefixes. Each
// object's version tag is the one the loader records (loader.ObjectOf: the
// store's own, such as S3's ETag or a GCS generation), so the ledger's etag
// column can be compared; the steps check that a rewrite changes it.
func (s *scenario) objects(t *testing.T) []object {
	t.Helper()
	var out []object
	for _, p := range []string{loader.RunsPrefix, loader.FactsPrefix} {
		out = append(out, s.list(t, p)...)
	}
	return out
}

func (s *scenario) list(t *testing.T, prefix string) []object {
	t.Helper()
	var out []object
	it := s.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		lo, err := it.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("list %s: %v", prefix, err)
		}
		if !lo.IsDir {
			out = append(out, object{Key: lo.Key, ETag: loader.ObjectOf(lo).ETag, Size: lo.Size})
		}
	}
}

// object is one object's current version.
func (s *scenario) object(t *testing.T, key string) object {
	t.Helper()
	for _, o := range s.list(t, key) {
		if o.Key == key {
			return o
		}
	}
	t.Fatalf("%s is not in the bucket", key)
	return object{}
}

func (s *scenario) read(t *testing.T, key string) []byte {
	t.Helper()
	data, err := s.b.ReadAll(context.Background(), key)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

// put writes an object and returns its new version.
func (s *scenario) put(t *testing.T, key string, data []byte) object {
	t.Helper()
	if err := s.b.WriteAll(context.Background(), key, data, nil); err != nil {
		t.Fatalf("write %s: %v", key, err)
	}
	return s.object(t, key)
}

// parquetRows is the oracle for row counts: the file's own footer, read
// with parquet-go, apart from every engine.
func parquetRows(data []byte) (int64, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, err
	}
	return f.NumRows(), nil
}

// rowsOf is an object's parquet row count; it must be readable.
func (s *scenario) rowsOf(t *testing.T, key string) int64 {
	t.Helper()
	n, err := parquetRows(s.read(t, key))
	if err != nil {
		t.Fatalf("oracle: %s is not readable parquet: %v", key, err)
	}
	return n
}

// regenerated is key's bytes in the same bucket generated with fewer rows
// per file: the same object rewritten, as a vendor re-export would.
func regenerated(t *testing.T, key string) []byte {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	o := bucketOptions()
	o.RowsPerFile = changedRows
	if _, err := gen.Generate(context.Background(), b, o); err != nil {
		t.Fatalf("generate: %v", err)
	}
	data, err := b.ReadAll(context.Background(), key)
	if err != nil {
		t.Fatalf("regenerated bucket lacks %s: %v", key, err)
	}
	return data
}

// syncOf is the sync configuration id in a records key's path.
func syncOf(key string) string {
	parts := strings.Split(strings.TrimPrefix(key, loader.RunsPrefix), "/")
	if len(parts) < 4 {
		panic(fmt.Sprintf("conformance: %s is no records key", key))
	}
	return parts[1]
}
