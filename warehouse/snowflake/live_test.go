package snowflake

import (
	"context"
	"os"
	"testing"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
)

// TestLive loads a generated bucket into a real Snowflake account twice: the
// first cycle loads every object, the second finds nothing new. It runs only
// when these are set (and skips otherwise):
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
	if _, err := gen.Generate(ctx, b, o); err != nil {
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
	if err != nil || len(rep.Failed) != 0 {
		t.Fatalf("first load: %v %+v", err, rep)
	}
	rep, err = loader.New(b, "", w, loader.Options{}).Load(ctx)
	if err != nil || rep.Files != 0 {
		t.Fatalf("second load must load nothing: %v %+v", err, rep)
	}
}
