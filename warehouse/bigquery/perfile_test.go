package bigquery

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// writeNoIdentifier writes a records file whose columns lack identifier.
func writeNoIdentifier(t *testing.T, c *countedBucket, key string) {
	t.Helper()
	type row struct {
		Key       string `parquet:"key"`
		Operation string `parquet:"operation"`
		Status    string `parquet:"status"`
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, []row{{"a", "added", "succeeded"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.b.WriteAll(context.Background(), key, buf.Bytes(), nil); err != nil {
		t.Fatal(err)
	}
}

// A records file without an identifier column would load as rows with NULL
// keys. Both paths know its columns before any job moves a row (path a from
// the dry run, path b from the footer): it fails alone, named, saying which
// columns it has, and the others load in the same call.
func TestNoIdentifierFailsAlone(t *testing.T) {
	for _, path := range []string{PathQuery, PathLoad} {
		t.Run(path, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			keys := writeRecords(t, c, "r1", 0, 3, gen.Shape{})
			odd := "sync_tracking_datasets/1001/52275/r1/records_added.7.parquet"
			writeNoIdentifier(t, c, odd)
			w := openFakeWith(t, f, c, Config{Path: path})
			res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Failed) != 1 || res.Failed[0].Key != odd || warehouse.ClassOf(res.Failed[0].Err) != warehouse.Data ||
				!strings.Contains(res.Failed[0].Err.Error(), "records file has no identifier column (its columns: key, operation, status)") {
				t.Fatalf("failed %+v; want %s alone, a data error listing its columns", res.Failed, odd)
			}
			ledger := f.ledgerWrites()
			if _, ok := ledger[odd]; ok || len(ledger) != len(keys) {
				t.Errorf("ledger rows written %v; want the %d others, loaded, and none for %s", ledger, len(keys), odd)
			}
			if st := w.Stats(); st.LoadJobs != 3*map[string]int{PathQuery: 0, PathLoad: 1}[path] {
				t.Errorf("%d load jobs: the file without identifier was loaded", st.LoadJobs)
			}
		})
	}
}

// A dry run whose error names no file is asked again one file at a time,
// only then and only for a chunk of at most maxProbeAlone files: the files
// whose own dry run fails fail alone, the others load in the same call.
func TestPathAUnnamedDryRunErrorProbesAlone(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	keys := writeRecords(t, c, "r1", 0, 6, gen.Shape{})
	read := serverSchema(c)
	bad := map[string]bool{"gs://" + fakeBucket + "/" + keys[1]: true, "gs://" + fakeBucket + "/" + keys[4]: true}
	f.schema = read
	// BigQuery's words for a file it cannot read, without naming it.
	f.failWhen(func(c call) bool {
		for _, u := range c.URIs {
			if c.Kind == "dryrun" && bad[u] {
				return true
			}
		}
		return false
	}, Fault{Code: 400, Reason: "invalid", Message: "Error while reading data, error message: Invalid Parquet file"})
	w := openFake(t, f, c, "loaded")
	res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fe := range res.Failed {
		got = append(got, fe.Key)
		if warehouse.ClassOf(fe.Err) != warehouse.Data {
			t.Errorf("%s: class %s, want data", fe.Key, warehouse.ClassOf(fe.Err))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{keys[1], keys[4]}) {
		t.Errorf("failed %v, want %s and %s", got, keys[1], keys[4])
	}
	if st := w.Stats(); st.DryRuns != 1+6 || st.Queries != 2 {
		t.Errorf("stats %+v: want the batch's dry run, one per file, then one staging job and one script", st)
	}
	if ledger := f.ledgerWrites(); len(ledger) != 4 || ledger[keys[1]] != "" || ledger[keys[4]] != "" {
		t.Errorf("ledger rows written: %v; want the 4 readable files'", ledger)
	}
}

// A fact table is rebuilt from all of its files or not at all: a file the
// dry run cannot read stops ReplaceFacts before any query job, with a data
// error naming it; the loader fails it and rebuilds the table from the rest.
func TestFactFileUnreadable(t *testing.T) {
	for _, path := range []string{PathQuery, PathLoad} {
		t.Run(path, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			if _, err := gen.Generate(context.Background(), c.b, gen.Options{Orgs: 2, SyncsPerOrg: 1, RunsPerSync: 1,
				FilesPerRun: 1, RowsPerFile: 2, Seed: 1, Facts: true}); err != nil {
				t.Fatal(err)
			}
			var facts []warehouse.File
			for _, fl := range files(t, c, "metadata/") {
				if fl.FactTable == "destinations" {
					facts = append(facts, fl)
				}
			}
			if len(facts) != 2 {
				t.Fatalf("%d destinations files, want 2", len(facts))
			}
			truncate(t, c, facts[0].Key)
			w := openFakeWith(t, f, c, Config{Path: path})
			rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow, Prefixes: []string{loader.FactsPrefix}}).Load(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			for _, fe := range rep.Failed {
				failed = append(failed, fe.Key)
			}
			if len(failed) != 1 || failed[0] != facts[0].Key {
				t.Fatalf("failed %v, want %s alone", failed, facts[0].Key)
			}
			if ledger := f.ledgerWrites(); ledger[facts[1].Key] != "loaded" || ledger[facts[0].Key] != "failed" {
				t.Errorf("ledger rows %v: want %s loaded and %s failed", ledger, facts[1].Key, facts[0].Key)
			}
		})
	}
}

// Strings that are not UTF-8: BigQuery offers no Parquet option to replace
// them and its wording when it refuses them is not documented, so this
// scripts an error that mentions UTF-8 where BigQuery reads a file (a load
// job on path b, the script on path a). The file fails alone, named, as a
// data error saying what to do; the others load in the same call.
func TestNotUTF8FailsAlone(t *testing.T) {
	for _, path := range []string{PathQuery, PathLoad} {
		t.Run(path, func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			keys := writeRecords(t, c, "r1", 0, 3, gen.Shape{})
			uri := "gs://" + fakeBucket + "/" + keys[0]
			ft := Fault{Reason: "invalid", Message: "Error while reading data, error message: invalid UTF-8 in column status_message. File: " + uri}
			w := openFakeWith(t, f, c, Config{Path: path})
			f.failWhen(map[string]func(call) bool{PathQuery: scriptReading(uri), PathLoad: loadOf(uri)}[path], ft)
			res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Failed) != 1 || res.Failed[0].Key != keys[0] {
				t.Fatalf("failed %+v, want %s alone", res.Failed, keys[0])
			}
			reason, hint := warehouse.Explain(res.Failed[0].Err)
			if warehouse.ClassOf(res.Failed[0].Err) != warehouse.Data || reason != warehouse.ReasonBadText ||
				!strings.Contains(hint, "no Parquet option") {
				t.Errorf("failure %v: class %s, reason %q, hint %q", res.Failed[0].Err, warehouse.ClassOf(res.Failed[0].Err), reason, hint)
			}
			if ledger := f.ledgerWrites(); len(ledger) != 2 || ledger[keys[0]] != "" {
				t.Errorf("ledger rows written: %v; want the 2 others", ledger)
			}
		})
	}
}
