package bigquery_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/synctrack/synctrack/dbt"
	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/internal/dbtschema"
)

// synctrack dbt's files for a loaded dataset, held against the dataset as
// BigQuery's tables API lists it (the emulator answers no INFORMATION_SCHEMA
// query): every table and view there is declared, with its columns in order,
// and nothing is declared that is not there. The typed views come from
// payload_columns, read through the warehouse's own query path.
func TestDBTHoldsAgainstTablesAPI(t *testing.T) {
	e := newEnv(t)
	e.generate(t, smallOptions())
	w := e.open(t)
	loadBQ(t, e, w)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	typed, err := dbt.TypedViews(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	files, err := dbt.Files(dbt.Input{Dialect: w.Dialect(), Schema: w.Schema(), Typed: typed})
	if err != nil {
		t.Fatal(err)
	}
	f, err := dbtschema.Parse(files[dbt.SourcesFile])
	if err != nil {
		t.Fatalf("sources.yml: %v", err)
	}
	declared := map[string][]string{}
	for _, tb := range f.Sources[0].Tables {
		for _, c := range tb.Columns {
			declared[tb.Name] = append(declared[tb.Name], c.Name)
		}
	}

	client, err := bigquery.NewClient(ctx, project, option.WithEndpoint(os.Getenv("BIGQUERY_EMULATOR_HOST")), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	listed := map[string][]string{}
	it := client.Dataset(w.Schema()).Tables(ctx)
	for {
		tb, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if tb.TableID == "daemon_lease" || strings.HasPrefix(tb.TableID, "_st_") {
			continue // the daemon's lock row, and staging tables expiring in a day
		}
		md, err := tb.Metadata(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tb.TableID, err)
		}
		var cols []string
		for _, fs := range md.Schema {
			cols = append(cols, fs.Name)
		}
		listed[tb.TableID] = cols
	}
	typedViews := 0
	for name, cols := range listed {
		want, ok := declared[name]
		if !ok {
			t.Errorf("%s is in the dataset, not in sources.yml", name)
			continue
		}
		if strings.HasPrefix(name, "sync_records_") {
			typedViews++
		}
		if r, _ := dialects.Lookup(name); r.Open && len(cols) > len(want) {
			// Columns the files added (the vendor's retry_count): sources.yml
			// declares what synctrack guarantees, which must come first.
			t.Logf("%s: columns beyond the contract, not declared: %v", name, cols[len(want):])
			cols = cols[:len(want)]
		}
		if !reflect.DeepEqual(cols, want) {
			t.Errorf("%s: tables API\n %v\nsources.yml\n %v", name, cols, want)
		}
	}
	for name := range declared {
		if _, ok := listed[name]; !ok {
			t.Errorf("%s declared, not in the dataset", name)
		}
	}
	if typedViews < 3 {
		t.Errorf("%d typed views listed; the bucket has one per sync", typedViews)
	}
}
