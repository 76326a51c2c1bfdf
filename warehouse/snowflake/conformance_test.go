package snowflake_test

import (
	"context"
	"testing"

	"github.com/synctrack/synctrack/internal/conformance"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// The conformance suite on Snowflake at the wire: the real gosnowflake
// driver against sffake, whose COPY reads the S3 bucket (gofakes3) the
// loader lists, as Snowflake reads its stage. The fake runs only the
// ledger's UPDATE and MERGE, so rows per file and views come from its state,
// and the checks that need answers to queries are skipped; the live test
// (live_test.go) runs the SQL.
func TestConformance(t *testing.T) {
	f := sffake.New(t)
	conformance.Run(t, conformance.Harness{
		Name: "snowflake (sffake)",
		NewBucket: func(t *testing.T) conformance.Bucket {
			url := testbucket.S3(t, "acme-sync-logs")
			b := testbucket.Open(t, url)
			f.Stage(b)
			return conformance.Bucket{Bucket: b, URL: url}
		},
		Open: func(t *testing.T, _ conformance.Bucket) warehouse.Warehouse {
			env := map[string]string{snowflake.EnvPassword: "s3cr3t-pw"}
			w, err := snowflake.Engine().Open(context.Background(), f.URL(""),
				warehouse.Options{Env: func(k string) string { return env[k] }})
			if err != nil {
				t.Fatalf("open snowflake: %v", err)
			}
			t.Cleanup(func() { w.Close() })
			return w
		},
		Rows:   func(t testing.TB, wh warehouse.Warehouse) map[string]int64 { return f.FileRows("SYNC_RECORDS") },
		Counts: func(t testing.TB, wh warehouse.Warehouse) map[string]int64 { return f.FileRows("RUN_OUTCOME_COUNTS") },
		Views:  func(t testing.TB, wh warehouse.Warehouse) []string { return f.Views() },
		// sffake keeps no rows' dates: it is told which files the pass finds
		// (the suite's oracle), and that no straddling file has older rows
		// left; the rest (ledger UPDATE and deletes by key) it runs itself.
		Retention: func(t *testing.T, _ warehouse.Warehouse, expiring []string) {
			rows := make([][]any, len(expiring))
			for i, k := range expiring {
				rows[i] = []any{k}
			}
			f.Answer(`SELECT DISTINCT "_FILE" FROM (`, []sffake.Column{{Name: "_FILE", Type: "text"}}, rows)
			f.Affect(`"SYNC_RECORDS" WHERE "BATCH_STARTED_AT" < CAST(`, 0)
		},
		NoSQL: "sffake speaks Snowflake's protocol but runs no query SQL, and no Snowflake engine runs here " +
			"(live_test.go runs against a real account when SYNCTRACK_SNOWFLAKE_DSN is set)",
	})
}
