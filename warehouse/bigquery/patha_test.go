package bigquery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	bqv2 "google.golang.org/api/bigquery/v2"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

var fixedNow = func() time.Time { return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) }

// openFake opens the warehouse on the fake for a gs:// bucket whose objects
// are c's: path a, as for any gs:// bucket. Open's own jobs are forgotten.
func openFake(t *testing.T, f *bqFake, c *countedBucket, mode string) *Warehouse {
	t.Helper()
	w := openFakeWith(t, f, c, Config{Mode: mode})
	if w.Path() != PathQuery {
		t.Fatalf("path %s for a gs:// bucket, want query", w.Path())
	}
	return w
}

// openFakeWith opens as openFake does, with c's Mode, Path and JobTimeout
// (default a minute).
func openFakeWith(t *testing.T, f *bqFake, c *countedBucket, cfg Config) *Warehouse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = time.Minute
	}
	cfg.Project, cfg.Dataset, cfg.Bucket, cfg.BucketURL = "p", "synctrack", c.b, "gs://"+fakeBucket
	w, err := Open(ctx, cfg, fixedNow)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	f.reset()
	c.bytesRead()
	w.stats = Stats{LoadsPer: map[string]int{}}
	return w
}

// writeRecords writes n one-row records files of a shape under a run folder.
func writeRecords(t *testing.T, c *countedBucket, run string, from, n int, shape gen.Shape) []string {
	t.Helper()
	var keys []string
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := from; i < from+n; i++ {
		var buf bytes.Buffer
		ok := "succeeded"
		rows := []gen.Record{{Identifier: fmt.Sprint(100 + i), Payload: `{"email":"a@b"}`, Operation: "added",
			Status: &ok, Started: at, Ended: at, SyncConfigurationID: "52275", SyncRunID: run, RetryCount: 1}}
		if err := gen.WriteRecords(&buf, rows, shape); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("sync_tracking_datasets/1001/52275/%s/records_added.%d.parquet", run, i)
		if err := c.b.WriteAll(context.Background(), key, buf.Bytes(), nil); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	return keys
}

// files lists the bucket as the loader does and returns the objects under
// prefix as files to load.
func files(t *testing.T, c *countedBucket, prefix string) []warehouse.File {
	t.Helper()
	var out []warehouse.File
	err := loader.DiscoverPrefixes(context.Background(), c.side, "", []string{prefix}, func(o loader.Object) error {
		out = append(out, warehouse.File{Object: o, Attempts: 1})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// cycleIDs are the random parts of a script's temporary table names.
var cycleIDs = regexp.MustCompile(`_st_(ext|batch)_[0-9a-f]{12}`)

// Path a learns every schema from one dry run (a temporary parquet definition
// per file, no schema given), groups the files by the schemas BigQuery
// answered, counts their rows in the script, and reads no byte of any object.
func TestPathAReadsNoObjectBytes(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	modern := writeRecords(t, c, "r1", 0, 2, gen.Shape{})
	legacy := writeRecords(t, c, "r1", 2, 2, gen.Shape{Legacy: true, IntIdentifier: true, LocalTime: true})
	extra := writeRecords(t, c, "r1", 4, 2, gen.Shape{ExtraColumn: true})
	empty := "sync_tracking_datasets/1001/52275/r1/records_added.9.parquet"
	if err := c.b.WriteAll(context.Background(), empty, nil, nil); err != nil {
		t.Fatal(err)
	}
	w := openFake(t, f, c, "loaded")
	fs := files(t, c, "sync_tracking_datasets/")
	if len(fs) != 7 {
		t.Fatalf("%d files listed, want 7", len(fs))
	}
	c.bytesRead()

	res, err := w.LoadRecords(context.Background(), fs)
	rows := res.Rows
	if err != nil {
		t.Fatalf("load records: %v", err)
	}
	if read := c.bytesRead(); len(read) != 0 {
		t.Errorf("synctrack read object bytes: %v", read)
	}
	if st := w.Stats(); st.DaemonBytes != 0 || st.DryRuns != 1 || st.Queries != 2 || st.LoadJobs != 0 {
		t.Errorf("stats %+v, want 0 bytes, 1 dry run, 2 query jobs, 0 load jobs", st)
	}
	if rows != f.scriptRows {
		t.Errorf("rows %d, want %d: the count the script returned", rows, f.scriptRows)
	}

	dry := f.dryRuns()
	if len(dry) != 1 {
		t.Fatalf("%d dry runs, want 1", len(dry))
	}
	cfg := dry[0].Configuration
	defs := cfg.Query.TableDefinitions
	if !cfg.DryRun || len(defs) != 6 {
		t.Fatalf("dry run: dryRun=%v, %d table definitions, want true and 6 (the empty object is not asked)", cfg.DryRun, len(defs))
	}
	want := map[string]bool{}
	for _, k := range append(append(append([]string{}, modern...), legacy...), extra...) {
		want["gs://"+fakeBucket+"/"+k] = true
	}
	for name, d := range defs {
		if d.SourceFormat != "PARQUET" || d.Schema != nil || d.Autodetect || len(d.SourceUris) != 1 || !want[d.SourceUris[0]] {
			t.Errorf("definition %s: format %s, schema %v, autodetect %v, URIs %v; want PARQUET, no schema, one URI of the batch",
				name, d.SourceFormat, d.Schema, d.Autodetect, d.SourceUris)
			continue
		}
		delete(want, d.SourceUris[0])
		if !strings.Contains(cfg.Query.Query, "FROM `"+name+"` LIMIT 0) AS `"+name+"`") {
			t.Errorf("the dry run's query does not probe %s:\n%s", name, cfg.Query.Query)
		}
	}
	if len(want) != 0 {
		t.Errorf("files not probed: %v", want)
	}

	scripts := f.scripts()
	if len(scripts) != 1 {
		t.Fatalf("%d scripts, want 1", len(scripts))
	}
	s := scripts[0]
	// One external table per schema the dry run answered, holding exactly the
	// files of that schema.
	ddl := regexp.MustCompile("CREATE OR REPLACE EXTERNAL TABLE [^\n]+ \\(\n(?s:(.*?))\n\\)\nOPTIONS \\(format = 'PARQUET', uris = \\[([^\\]]*)\\]").FindAllStringSubmatch(s, -1)
	if len(ddl) != 3 {
		t.Fatalf("%d external tables, want 3 (one per schema):\n%s", len(ddl), s)
	}
	groups := map[string]string{}
	for _, m := range ddl {
		groups[m[2]] = m[1]
	}
	quoted := func(keys []string) string {
		q := make([]string, len(keys))
		for i, k := range keys {
			q[i] = "'gs://" + fakeBucket + "/" + k + "'"
		}
		return strings.Join(q, ", ")
	}
	for _, g := range []struct {
		keys []string
		cols string
	}{
		{modern, "`identifier` STRING,\n  `record_payload` STRING,\n  `operation` STRING,\n  `status` STRING,\n  `status_message` STRING,\n  `batch_started_at` TIMESTAMP,\n  `batch_ended_at` TIMESTAMP,\n  `sync_configuration_id` STRING,\n  `sync_run_id` STRING"},
		{legacy, "`identifier` INT64,\n  `record_payload` STRING,\n  `operation` STRING,\n  `status` STRING,\n  `status_message` STRING,\n  `batch_started_at` DATETIME,\n  `batch_ended_at` DATETIME"},
		{extra, "`identifier` STRING,\n  `record_payload` STRING,\n  `operation` STRING,\n  `status` STRING,\n  `status_message` STRING,\n  `batch_started_at` TIMESTAMP,\n  `batch_ended_at` TIMESTAMP,\n  `sync_configuration_id` STRING,\n  `sync_run_id` STRING,\n  `retry_count` INT64"},
	} {
		if got, ok := groups[quoted(g.keys)]; !ok || got != "  "+g.cols {
			t.Errorf("no external table over exactly %v with columns\n%s\ngot %q", g.keys, g.cols, groups)
		}
	}
	// The new vendor column went into sync_records, as with footers.
	f.mu.Lock()
	added := false
	for _, fld := range f.tables["sync_records"].Schema.Fields {
		added = added || (fld.Name == "retry_count" && fld.Type == "INTEGER")
	}
	f.mu.Unlock()
	if !added {
		t.Error("retry_count was not added to sync_records")
	}
	for _, want := range []string{"SET _st_ledger = ARRAY(", "WHERE _FILE_NAME IN UNNEST(_st_uris) GROUP BY 1",
		"BEGIN TRANSACTION;", "COMMIT TRANSACTION;"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Index(s, "SET _st_ledger") > strings.Index(s, "BEGIN TRANSACTION") ||
		!strings.HasSuffix(s, "\nSELECT COALESCE(SUM(l.`rows`), 0) AS `rows` FROM UNNEST(_st_ledger) l;") {
		t.Error("the counts must fill the ledger rows before the transaction writes them, and the script end with their total")
	}
	golden(t, "path_a_records.sql", []string{cfg.Query.Query, cycleIDs.ReplaceAllString(s, "_st_${1}_CYCLE")})
}

// A fact table is rebuilt on path a without a byte read either: one dry run,
// the staging job and the script.
func TestPathAFactsReadNoObjectBytes(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	if _, err := gen.Generate(context.Background(), c.b, gen.Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1,
		FilesPerRun: 1, RowsPerFile: 2, Seed: 1, Facts: true}); err != nil {
		t.Fatal(err)
	}
	w := openFake(t, f, c, "loaded")
	var facts []warehouse.File
	for _, fl := range files(t, c, "metadata/") {
		if fl.FactTable == "destinations" {
			facts = append(facts, fl)
		}
	}
	if len(facts) != 1 {
		t.Fatalf("%d destinations files, want 1", len(facts))
	}
	c.bytesRead()
	if err := w.ReplaceFacts(context.Background(), "destinations", facts, warehouse.FactsKept{}); err != nil {
		t.Fatal(err)
	}
	if read := c.bytesRead(); len(read) != 0 {
		t.Errorf("synctrack read object bytes: %v", read)
	}
	if st := w.Stats(); st.DaemonBytes != 0 || st.DryRuns != 1 || st.Queries != 2 {
		t.Errorf("stats %+v, want 0 bytes, 1 dry run, 2 query jobs", st)
	}
	s := f.scripts()
	if len(s) != 1 || !strings.Contains(s[0], "INSERT INTO `synctrack`.`destinations`") ||
		!strings.Contains(s[0], "SET _st_ledger = ARRAY(") {
		t.Errorf("fact script: %q", s)
	}
}

// Past 1,000 files a batch takes one dry run per 1,000 (a query references
// at most 1,000 tables), and still one staging job and one script.
func TestPathADryRunChunks(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	one := []*bqv2.TableFieldSchema{{Name: "identifier", Type: "STRING"}, {Name: "status", Type: "STRING"}}
	f.schema = func(string) ([]*bqv2.TableFieldSchema, error) { return one, nil }
	writeRecords(t, c, "r1", 0, 2001, gen.Shape{})
	w := openFake(t, f, c, "loaded")
	fs := files(t, c, "sync_tracking_datasets/")
	c.bytesRead()
	if _, err := w.LoadRecords(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	seen := map[string]bool{}
	for _, j := range f.dryRuns() {
		sizes = append(sizes, len(j.Configuration.Query.TableDefinitions))
		for _, d := range j.Configuration.Query.TableDefinitions {
			seen[d.SourceUris[0]] = true
		}
	}
	if fmt.Sprint(sizes) != "[1000 1000 1]" || len(seen) != 2001 {
		t.Errorf("dry runs of %v definitions over %d distinct files, want [1000 1000 1] over 2001", sizes, len(seen))
	}
	if st := w.Stats(); st.DryRuns != 3 || st.Queries != 2 || f.queryCount() != 2 {
		t.Errorf("stats %+v, %d query jobs at the fake; want 3 dry runs and 2 query jobs", st, f.queryCount())
	}
	if read := c.bytesRead(); len(read) != 0 {
		t.Errorf("synctrack read %d objects", len(read))
	}
}

// Grouping follows the schemas BigQuery answers, not the files' bytes: a file
// BigQuery says has one more column gets a table of its own.
func TestPathAGroupsByDryRunAnswer(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	keys := writeRecords(t, c, "r1", 0, 3, gen.Shape{})
	read := serverSchema(c)
	f.schema = func(uri string) ([]*bqv2.TableFieldSchema, error) {
		cols, err := read(uri)
		if strings.HasSuffix(uri, keys[1]) {
			cols = append(cols, &bqv2.TableFieldSchema{Name: "attempt", Type: "INTEGER"},
				&bqv2.TableFieldSchema{Name: "tags", Type: "STRING", Mode: "REPEATED"},
				&bqv2.TableFieldSchema{Name: "nested", Type: "RECORD", Fields: []*bqv2.TableFieldSchema{{Name: "x", Type: "STRING"}}})
		}
		return cols, err
	}
	w := openFake(t, f, c, "loaded")
	if _, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/")); err != nil {
		t.Fatal(err)
	}
	s := f.scripts()[0]
	if n := strings.Count(s, "CREATE OR REPLACE EXTERNAL TABLE"); n != 2 {
		t.Errorf("%d external tables, want 2", n)
	}
	if !strings.Contains(s, "`attempt` INT64\n)\nOPTIONS (format = 'PARQUET', uris = ['gs://"+fakeBucket+"/"+keys[1]+"']") {
		t.Errorf("the file BigQuery gave a column more is not alone in its table, with it:\n%s", s)
	}
	if strings.Contains(s, "`tags`") || strings.Contains(s, "`nested`") {
		t.Errorf("a repeated or nested column reached the script:\n%s", s)
	}
}

// A file BigQuery cannot read fails its dry run before any query job runs.
// The dry run is run again without the file its error names, so the same
// call loads the others and returns that file in Loaded.Failed, with the
// cause; the loader records it alone as failed, without halving.
func TestPathADryRunFailure(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	keys := writeRecords(t, c, "r1", 0, 4, gen.Shape{})
	truncate(t, c, keys[2])
	w := openFake(t, f, c, "loaded")
	fs := files(t, c, "sync_tracking_datasets/")

	res, err := w.LoadRecords(context.Background(), fs)
	if err != nil {
		t.Fatalf("load with a truncated file: %v", err)
	}
	var e *warehouse.Error
	if len(res.Failed) != 1 || res.Failed[0].Key != keys[2] || !strings.Contains(res.Failed[0].Err.Error(), "failed on "+keys[2]) ||
		!strings.Contains(res.Failed[0].Err.Error(), "Error while reading table") || !errors.As(res.Failed[0].Err, &e) ||
		e.Class != warehouse.Data || len(e.Keys) != 1 || e.Keys[0] != keys[2] {
		t.Fatalf("failed %+v; want %s alone, a data error naming it and the cause", res.Failed, keys[2])
	}
	if st := w.Stats(); st.Queries != 2 || st.DryRuns != 2 {
		t.Errorf("stats %+v: want 2 dry runs (the second without the file) and 2 query jobs", st)
	}
	if n := len(f.dryRuns()[1].Configuration.Query.TableDefinitions); n != 3 {
		t.Errorf("the second dry run has %d definitions, want the 3 others", n)
	}
	if s := f.scripts(); len(s) != 1 || strings.Contains(s[0], keys[2]) {
		t.Errorf("the script reads the unreadable file, or is not one script: %q", s)
	}

	f.reset()
	c.bytesRead()
	rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
	if err != nil {
		t.Fatalf("loader: %v", err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Key != keys[2] || !strings.Contains(rep.Failed[0].Err.Error(), "Error while reading table") {
		t.Fatalf("failed %+v, want %s alone, with BigQuery's cause", rep.Failed, keys[2])
	}
	if rep.Files != 3 {
		t.Errorf("%d files loaded, want the other 3", rep.Files)
	}
	if read := c.bytesRead(); len(read) != 0 {
		t.Errorf("synctrack read object bytes: %v", read)
	}
}

// External mode writes only ledger rows; their counts come from the external
// table by _FILE_NAME, so no byte of a records file is read there either.
func TestExternalModeReadsNoObjectBytes(t *testing.T) {
	f := newBQFake(t)
	c := newCountedBucket(t)
	f.schema = serverSchema(c)
	writeRecords(t, c, "r1", 0, 3, gen.Shape{})
	w := openFake(t, f, c, "external")
	res, err := w.LoadRecords(context.Background(), files(t, c, "sync_tracking_datasets/"))
	rows := res.Rows
	if err != nil {
		t.Fatal(err)
	}
	if read := c.bytesRead(); len(read) != 0 {
		t.Errorf("synctrack read object bytes: %v", read)
	}
	if st := w.Stats(); st.DaemonBytes != 0 || st.DryRuns != 0 || st.Queries != 2 || rows != f.scriptRows {
		t.Errorf("stats %+v, rows %d; want no bytes, no dry run, 2 query jobs, rows %d", st, rows, f.scriptRows)
	}
	s := f.scripts()
	if len(s) != 1 {
		t.Fatalf("%d scripts, want 1", len(s))
	}
	golden(t, "external_ledger.sql", []string{cycleIDs.ReplaceAllString(s[0], "_st_${1}_CYCLE")})
	if !strings.Contains(s[0], "FROM `synctrack`.`sync_records_external` WHERE _FILE_NAME IN UNNEST(_st_uris)") {
		t.Errorf("counts do not come from the external table by _FILE_NAME:\n%s", s[0])
	}
}

// TestPathACycleCounts measures one `synctrack load` cycle on path a for a new
// run folder of 1, 100 and 5,000 records files (with its metadata.json and
// its org's 3 fact files), at the wire (the figures in BENCHMARKS.md): query
// jobs, dry runs, load jobs, and the bytes synctrack read of each kind of
// object, which must be the run's metadata.json alone. 5,000 is left out
// with -short.
func TestPathACycleCounts(t *testing.T) {
	sizes := []int{1, 100, 5000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	queries := map[int]int{}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newBQFake(t)
			c := newCountedBucket(t)
			f.schema = serverSchema(c)
			m, err := gen.Generate(context.Background(), c.b, gen.Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1,
				FilesPerRun: n, RowsPerFile: 2, Seed: 1, Facts: true})
			if err != nil {
				t.Fatal(err)
			}
			w := openFake(t, f, c, "loaded")
			rep, err := loader.New(c.b, "", w, loader.Options{Now: fixedNow}).Load(context.Background())
			if err != nil || len(rep.Failed) > 0 {
				t.Fatalf("load: %v %+v", err, rep.Failed)
			}
			if rep.Files != len(m.Files) {
				t.Errorf("%d objects loaded, want %d", rep.Files, len(m.Files))
			}
			kinds := map[string]int64{}
			for key, b := range c.bytesRead() {
				kinds[string(loader.Classify(key).Kind)] += b
			}
			var meta int64
			for _, fl := range files(t, c, "sync_tracking_datasets/") {
				if fl.Kind == warehouse.KindMetadata {
					meta += fl.Size
				}
			}
			st := w.Stats()
			t.Logf("%d records files: %d query jobs, %d dry runs, %d load jobs; bytes read by synctrack: records %d, fact %d, metadata.json %d (its size %d)",
				n, st.Queries, st.DryRuns, st.LoadJobs, kinds["records"], kinds["fact"], kinds["metadata"], meta)
			if kinds["records"] != 0 || kinds["fact"] != 0 || st.DaemonBytes != 0 {
				t.Errorf("records or fact bytes passed through synctrack: %v, DaemonBytes %d", kinds, st.DaemonBytes)
			}
			if kinds["metadata"] != meta {
				t.Errorf("metadata.json: %d bytes read, want its %d", kinds["metadata"], meta)
			}
			if want := (n+maxProbeFiles-1)/maxProbeFiles + 3; st.DryRuns != want || len(f.dryRuns()) != want {
				t.Errorf("%d dry runs (%d at the fake), want %d: one per 1,000 records files and one per fact table",
					st.DryRuns, len(f.dryRuns()), want)
			}
			if st.Queries != f.queryCount() || st.LoadJobs != 0 {
				t.Errorf("Stats counts %d query jobs and %d load jobs; the fake saw %d query jobs and no load job",
					st.Queries, st.LoadJobs, f.queryCount())
			}
			queries[n] = st.Queries
			if queries[n] != queries[sizes[0]] {
				t.Errorf("%d query jobs for %d files, %d for %d", queries[n], n, queries[sizes[0]], sizes[0])
			}
		})
	}
}
