package snowflake

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// TestLive loads a generated bucket into a real Snowflake account twice: the
// first cycle loads every object, the second finds nothing new. It also
// settles, on the real service, what the documentation leaves open or the
// fake only models: the generator writes files with unknown columns, so the
// first cycle's COPYs evolve sync_records inside the batch's transaction
// (were that to commit it, the load would fail with implicit_commit); and a
// file that is not parquet must fail alone, named by COPY's SKIP_FILE result,
// with its ledger row failed and no row of it kept. It runs only when these
// are set (and skips otherwise):
//
//	SYNCTRACK_SNOWFLAKE_DSN     snowflake://user@account/db/schema?warehouse=..&stage=..
//	SYNCTRACK_SNOWFLAKE_BUCKET  the bucket URL the stage points at (s3://, gs://), writable
//	plus one secret: SYNCTRACK_SNOWFLAKE_PRIVATE_KEY_FILE, _PASSWORD or _TOKEN
func TestLive(t *testing.T) {
	dsn, bucketURL := os.Getenv("SYNCTRACK_SNOWFLAKE_DSN"), os.Getenv("SYNCTRACK_SNOWFLAKE_BUCKET")
	if dsn == "" || bucketURL == "" {
		t.Skip("set SYNCTRACK_SNOWFLAKE_DSN and SYNCTRACK_SNOWFLAKE_BUCKET to run against Snowflake")
	}
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	o := gen.DefaultOptions()
	o.RowsPerFile = 50
	m, err := gen.Generate(ctx, b, o)
	if err != nil {
		t.Fatal(err)
	}
	var bad string
	for _, f := range m.Files {
		if f.Kind == gen.KindRecords {
			bad = f.Key[:strings.LastIndex(f.Key, "/")+1] + "records_added.999.parquet"
			break
		}
	}
	if err := b.WriteAll(ctx, bad, []byte("not a parquet file"), nil); err != nil {
		t.Fatal(err)
	}
	c, err := ParseURL(dsn, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rep, err := loader.New(b, "", w, loader.Options{}).Load(ctx)
	if err != nil || len(rep.Failed) != 1 || rep.Failed[0].Key != bad {
		t.Fatalf("first load: %v %+v, want only %s failed", err, rep, bad)
	}
	t.Logf("the bad file's error: %v", rep.Failed[0].Err)
	rows, err := w.Query(ctx, "SELECT COUNT(*) FROM "+w.table("sync_records")+" WHERE "+w.d.Ident("_file")+" = :1",
		[]warehouse.Arg{{Value: bad}})
	if err != nil {
		t.Fatal(err)
	}
	var kept any
	for rows.Next() {
		if err := rows.Scan(&kept); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if fmt.Sprint(kept) != "0" {
		t.Errorf("%v rows kept of the bad file", kept)
	}
	if err := b.Delete(ctx, bad); err != nil {
		t.Fatal(err)
	}
	rep, err = loader.New(b, "", w, loader.Options{}).Load(ctx)
	if err != nil || rep.Files != 0 {
		t.Fatalf("second load must load nothing: %v %+v", err, rep)
	}
}
