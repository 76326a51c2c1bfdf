package snowflake

import (
	"context"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// With auto_refresh=true, --setup in external mode turns on AUTO_REFRESH and
// reports the notification channel Snowflake gives the external table; without
// it the table stays AUTO_REFRESH = FALSE and no channel is asked for.
func TestSetupAutoRefreshReportsChannel(t *testing.T) {
	const arn = "arn:aws:sqs:us-east-1:123456789012:sf-snowpipe-AIDAEXAMPLE"
	for _, on := range []bool{true, false} {
		f := sffake.New(t)
		f.Answer("SHOW EXTERNAL TABLES", []sffake.Column{{Name: "name", Type: "text"}, {Name: "notification_channel", Type: "text"}},
			[][]any{{"SYNC_RECORDS_EXTERNAL", arn}})
		extra := "&storage_integration=SYNCTRACK_S3"
		if on {
			extra += "&auto_refresh=true"
		}
		w := openFake(t, f, extra)
		w.UseExternalTables()
		if err := w.SetUpBucket(context.Background(), "s3://acme-logs?region=us-east-1"); err != nil {
			t.Fatalf("auto_refresh=%v: setup: %v", on, err)
		}
		stmts := strings.Join(f.Statements(), "\n")
		if got := strings.Contains(stmts, `ALTER EXTERNAL TABLE "SYNCTRACK"."SYNC_RECORDS_EXTERNAL" SET AUTO_REFRESH = TRUE`); got != on {
			t.Errorf("auto_refresh=%v: ALTER ... SET AUTO_REFRESH issued: %v", on, got)
		}
		if !strings.Contains(stmts, "AUTO_REFRESH = FALSE") {
			t.Errorf("auto_refresh=%v: the external table is not created with AUTO_REFRESH = FALSE first", on)
		}
		want := ""
		if on {
			want = arn
		}
		if got := w.NotificationChannel(); got != want {
			t.Errorf("auto_refresh=%v: channel %q, want %q", on, got, want)
		}
	}
}

func TestAutoRefreshParam(t *testing.T) {
	if _, err := ParseURL("snowflake://u@acct/db/s?auto_refresh=maybe", func(string) string { return "" }); err == nil ||
		!strings.Contains(err.Error(), "auto_refresh") {
		t.Fatalf("a bad auto_refresh value: %v", err)
	}
}
