package snowflake

import (
	"testing"

	"github.com/synctrack/synctrack/dialects"
)

// Names the user types (stage=, storage_integration=, the DSN's schema)
// resolve as Snowflake resolves them unquoted; a "quoted" one keeps its case.
// The names synctrack creates are upper case, as an unquoted name resolves.
func TestUserNamesResolveUnquoted(t *testing.T) {
	d := dialects.Snowflake{}
	for _, c := range []struct{ url, stage, integration, table string }{
		{"snowflake://u@acct/ANALYTICS/synctrack?warehouse=W&storage_integration=sync_logs_int",
			`"SYNCTRACK"."SYNCTRACK_STAGE"`, `"SYNC_LOGS_INT"`, `"SYNCTRACK"."SYNC_LOG"`},
		{"snowflake://u@acct/ANALYTICS/Prod_Logs?stage=analytics.prod_logs.my_stage",
			`"ANALYTICS"."PROD_LOGS"."MY_STAGE"`, `""`, `"PROD_LOGS"."SYNC_LOG"`},
		{`snowflake://u@acct/ANALYTICS/synctrack?stage=ANALYTICS."Mixed"."my-stage"&storage_integration="Int"`,
			`"ANALYTICS"."Mixed"."my-stage"`, `"Int"`, `"SYNCTRACK"."SYNC_LOG"`},
	} {
		cfg, err := ParseURL(c.url, func(k string) string { return map[string]string{EnvPassword: "pw"}[k] })
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Path(cfg.Stage...); got != c.stage {
			t.Errorf("%s: stage %s, want %s", c.url, got, c.stage)
		}
		if got := d.Quote(cfg.Integration); got != c.integration {
			t.Errorf("%s: integration %s, want %s", c.url, got, c.integration)
		}
		if got := d.Table(cfg.Schema, "sync_log"); got != c.table {
			t.Errorf("%s: sync_log is %s, want %s", c.url, got, c.table)
		}
	}
}
