package daemon

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse/engines"
)

// What the cron library or WithDefaults would quietly make something else
// is refused, naming the key: a schedule of @every 0s (every second), one
// that never fires (the 30th of February: no load, ever), a negative duration (the default), two targets on one warehouse (a fight
// over its ledger every cycle).
func TestValidateRefusesWhatWouldChangeUnseen(t *testing.T) {
	base := func() Config {
		return Config{Targets: []Target{{Name: "a", Bucket: "file:///tmp/b", Warehouse: "duckdb:///tmp/w.duckdb"}},
			Identity: engines.Identity}
	}
	for name, c := range map[string]struct {
		edit func(*Config)
		says string
	}{
		"every 0s":          {func(c *Config) { c.Targets[0].Schedule = "@every 0s" }, `schedule "@every 0s"`},
		"every 500ms":       {func(c *Config) { c.Targets[0].Schedule = "@every 500ms" }, `schedule "@every 500ms": @every 500ms is under the least, 1s`},
		"every negative":    {func(c *Config) { c.Targets[0].FactsSchedule = "@every -5s" }, `facts_schedule "@every -5s"`},
		"bad reconcile":     {func(c *Config) { c.Targets[0].ReconcileSchedule = "nope" }, `reconcile_schedule "nope"`},
		"never fires":       {func(c *Config) { c.Targets[0].Schedule = "0 0 30 2 *" }, `schedule "0 0 30 2 *": never fires`},
		"31 April":          {func(c *Config) { c.Targets[0].FactsSchedule = "0 0 31 4 *" }, `facts_schedule "0 0 31 4 *": never fires`},
		"negative grace":    {func(c *Config) { c.Grace = new(-time.Second) }, "grace_period"},
		"negative lease":    {func(c *Config) { c.LeaseTTL = -time.Second }, "lease_ttl"},
		"negative bytes":    {func(c *Config) { c.WebhookMaxBytes = -1 }, "webhook_max_bytes"},
		"negative debounce": {func(c *Config) { c.EventsDebounce = -time.Second }, "events_debounce"},
		"negative quiet":    {func(c *Config) { c.Targets[0].QuietPeriod = -time.Second }, "quiet_period"},
		"one warehouse": {func(c *Config) {
			c.Targets = append(c.Targets, Target{Name: "b", Bucket: "file:///tmp/c", Warehouse: "duckdb:///tmp/./w.duckdb?threads=1"})
		}, "both load warehouse"},
		// One PostgreSQL schema written two ways: the scheme's alias, the
		// parameters in another order, the socket directory with a slash.
		"one postgres schema": {func(c *Config) {
			c.Targets[0].Warehouse = "postgres://u@/st?host=/run/pg&port=5433&schema=dup"
			c.Targets = append(c.Targets, Target{Name: "b", Bucket: "file:///tmp/c", Warehouse: "postgresql://u@/st?port=5433&host=/run/pg/&schema=dup"})
		}, "both load warehouse"},
		// The default schema given and not, the host's case, the default
		// port, another role and an option of pgx's: the same schema.
		"postgres default schema": {func(c *Config) {
			c.Targets[0].Warehouse = "postgres://loader@db.example/analytics"
			c.Targets = append(c.Targets, Target{Name: "b", Bucket: "file:///tmp/c",
				Warehouse: "postgres://other@DB.example:5432/analytics?sslmode=require&schema=synctrack"})
		}, "both load warehouse"},
	} {
		cfg := base()
		c.edit(&cfg)
		if err := cfg.WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error naming %s", name, err, c.says)
		}
	}
	ok := base()
	ok.Targets = append(ok.Targets, Target{Name: "b", Bucket: "file:///tmp/c", Warehouse: "duckdb:///tmp/other.duckdb"})
	ok.Targets[0].Schedule = "@every 1s"
	ok.Targets[1].Schedule = "0 0 29 2 *" // leap days only: fires
	if err := ok.WithDefaults().Validate(); err != nil {
		t.Errorf("a valid config: %v", err)
	}
	// Another schema, database or server is another warehouse.
	for _, other := range []string{"postgres://u@db/st?schema=two", "postgres://u@db/other", "postgres://u@db:5433/st", "postgres://u@db2/st"} {
		two := base()
		two.Targets[0].Warehouse = "postgres://u@db/st"
		two.Targets = append(two.Targets, Target{Name: "b", Bucket: "file:///tmp/c", Warehouse: other})
		if err := two.WithDefaults().Validate(); err != nil {
			t.Errorf("postgres://u@db/st and %s: %v, want two warehouses", other, err)
		}
	}
	// New refuses it too, before opening anything: the start never runs a
	// daemon that would never load.
	never := base()
	never.Targets[0].Schedule = "0 0 30 2 *"
	opened := func(context.Context, string) (*blob.Bucket, string, error) {
		return nil, "", errors.New("opened the bucket")
	}
	if _, err := New(context.Background(), never, Deps{OpenBucket: opened}); err == nil || !strings.Contains(err.Error(), "never fires") {
		t.Errorf("New with a schedule that never fires: %v", err)
	}
}

// A failed cycle that was to refresh the fact tables (the startup cycle,
// a facts tick) keeps that for the next tick; before, only webhook and
// event work was kept and the fact tables waited for the next facts tick.
func TestFailedCycleKeepsItsFacts(t *testing.T) {
	tg := &target{log: slog.New(slog.DiscardHandler)}
	tg.keep(scope{runs: true, facts: true, why: "startup"})
	if !tg.pending.facts {
		t.Errorf("the failed startup cycle's fact refresh was dropped: %+v", tg.pending)
	}
	tg = &target{log: slog.New(slog.DiscardHandler)}
	tg.keep(scope{runs: true, why: "schedule"})
	if tg.pending.facts || tg.pending.runs {
		t.Errorf("a failed run tick queued work of its own: %+v", tg.pending)
	}
}
