package bigquery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"
	"os"

	"github.com/synctrack/synctrack/dialects"
)

// An unpartitioned sync_records, as an older synctrack made it, is migrated
// on open: partitioned by day of batch_started_at, clustered by sync, run
// and status, every row kept. A migration a crash cut between dropping the
// table and making it again is finished by the next open.
func TestRecordsMigratedToPartitions(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := bigquery.NewClient(ctx, project, option.WithEndpoint(os.Getenv("BIGQUERY_EMULATOR_HOST")), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ds := c.Dataset("synctrack")
	if err := ds.Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		t.Helper()
		job, err := c.Query(q).Run(ctx)
		if err == nil {
			var st *bigquery.JobStatus
			if st, err = job.Wait(ctx); err == nil {
				err = st.Err()
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	insert := "INSERT INTO synctrack.%s (identifier, status, batch_started_at, sync_configuration_id, sync_run_id, _file) VALUES " +
		"('a', 'rejected', TIMESTAMP '2026-01-05 08:00:00+00', '52275', '1', 'k/1.parquet'), " +
		"('b\\'s', 'succeeded', TIMESTAMP '2026-01-06 09:00:00+00', '52275', '2', 'k/2.parquet'), " +
		"('c', NULL, NULL, '52276', '3', 'k/3.parquet')"
	want := []string{"a|rejected|2026-01-05T08:00:00Z", "b's|succeeded|2026-01-06T09:00:00Z", "c|NULL|NULL"}
	check := func(when string) {
		t.Helper()
		md, err := ds.Table("sync_records").Metadata(ctx)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		p, cl := md.TimePartitioning, md.Clustering
		if p == nil || p.Type != bigquery.DayPartitioningType || p.Field != "batch_started_at" ||
			cl == nil || strings.Join(cl.Fields, ",") != strings.Join(dialects.BigQueryClusterColumns, ",") {
			t.Errorf("%s: sync_records partitioning %+v, clustering %+v", when, p, cl)
		}
		if len(md.Schema) != len(recordsSchema()) {
			t.Errorf("%s: %d columns, want %d", when, len(md.Schema), len(recordsSchema()))
		}
		if _, err := ds.Table("sync_records_migrating").Metadata(ctx); err == nil {
			t.Errorf("%s: the migrating table is left behind", when)
		}
	}

	// An older synctrack's table, with rows.
	if err := ds.Table("sync_records").Create(ctx, &bigquery.TableMetadata{Schema: recordsSchema()}); err != nil {
		t.Fatal(err)
	}
	exec(strings.Replace(insert, "%s", "sync_records", 1))
	w := e.open(t)
	check("migrated")
	rows := func() []string {
		return bqRows(t, w, "SELECT identifier, status, FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', batch_started_at) FROM synctrack.sync_records")
	}
	if got := rows(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("rows after the migration: %v, want %v", got, want)
	}
	w.Close()

	// Cut after the drop: only the migrating copy holds the rows.
	if err := ds.Table("sync_records").Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ds.Table("sync_records_migrating").Create(ctx, &bigquery.TableMetadata{Schema: recordsSchema()}); err != nil {
		t.Fatal(err)
	}
	exec(strings.Replace(insert, "%s", "sync_records_migrating", 1))
	w = e.open(t)
	check("resumed")
	if got := rows(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("rows after a resumed migration: %v, want %v", got, want)
	}
}
