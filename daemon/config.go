// Package daemon is `synctrack run`: it keeps warehouses current on cron
// schedules, loads a run's folder when the vendor's sync.completed webhook
// arrives, tracks run state, and serves /metrics, /healthz and /readyz.
package daemon

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"
)

// Defaults for a target and the daemon.
const (
	DefaultSchedule      = "@every 5m"
	DefaultFactsSchedule = "@every 6h"
	DefaultQuietPeriod   = 30 * time.Minute
	DefaultGrace         = 30 * time.Second
	DefaultLeaseTTL      = 10 * time.Minute
	DefaultWebhookBytes  = 1 << 20
	// DefaultReconcileSchedule lists the whole bucket when events are on.
	DefaultReconcileSchedule = "@daily"
	DefaultEventsDebounce    = 100 * time.Millisecond
)

// Target is one bucket loaded into one warehouse.
type Target struct {
	Name          string
	Bucket        string
	Warehouse     string
	Schedule      string        // run folders; cron expression or @every D
	FactsSchedule string        // metadata/ fact tables
	QuietPeriod   time.Duration // an open run with no new file for this long is complete
	// Events is a gocloud.dev/pubsub subscription URL of the bucket's
	// object notifications (awssqs://, gcppubsub://, mem://), or "". With
	// it, Schedule lists nothing (it only sweeps run states), the fact
	// tables load on their notifications, and ReconcileSchedule lists the
	// whole bucket for what came without one; while the subscription fails,
	// Schedule and FactsSchedule list as without events. mem:// opens only
	// through Deps.OpenSubscription (tests): the binary refuses it.
	Events            string
	ReconcileSchedule string
}

// Retry bounds the backoff of transient errors within one cycle.
type Retry struct {
	Base     time.Duration // first wait; doubles each attempt, with jitter
	Max      time.Duration // longest single wait
	Attempts int           // tries per cycle, the first included
}

// Config is the whole daemon.
type Config struct {
	Targets         []Target
	Listen          string // HTTP address for /metrics, /healthz, /readyz, /webhook; "" for none
	WebhookSecret   string // HMAC-SHA256 key of sync.completed; "" disables /webhook
	WebhookMaxBytes int64
	// Grace is how long a load in flight may finish after SIGTERM: nil takes
	// DefaultGrace, 0 cancels it at once (a pointer, so that a 0 written in
	// the config stays a 0).
	Grace    *time.Duration
	LeaseTTL time.Duration // how long a crashed daemon's lease blocks others
	Retry    Retry
	// EventsDebounce is how long after a notification the daemon waits for
	// more before loading, so a burst becomes one load (at most 10 times it).
	EventsDebounce time.Duration
	// Identity writes a warehouse URL one way, so that two targets on one
	// warehouse are refused however their URLs are written: the registry's
	// engines.Identity, handed in by the command (the daemon imports no
	// engine, as for Deps.OpenWarehouse). Nil: URLs compare as written.
	Identity func(warehouseURL string) string
}

// WithDefaults fills every zero field with its default (Grace: every nil
// one); a negative one is left for Validate to refuse (it used to become the
// default unseen).
func (c Config) WithDefaults() Config {
	ts := make([]Target, len(c.Targets))
	for i, t := range c.Targets {
		if t.Name == "" {
			t.Name = "default"
			if len(c.Targets) > 1 {
				t.Name = fmt.Sprintf("target%d", i+1)
			}
		}
		t.Schedule = or(t.Schedule, DefaultSchedule)
		t.FactsSchedule = or(t.FactsSchedule, DefaultFactsSchedule)
		t.ReconcileSchedule = or(t.ReconcileSchedule, DefaultReconcileSchedule)
		if t.QuietPeriod == 0 {
			t.QuietPeriod = DefaultQuietPeriod
		}
		ts[i] = t
	}
	c.Targets = ts
	if c.WebhookMaxBytes == 0 {
		c.WebhookMaxBytes = DefaultWebhookBytes
	}
	if c.EventsDebounce == 0 {
		c.EventsDebounce = DefaultEventsDebounce
	}
	if c.Grace == nil {
		c.Grace = new(DefaultGrace)
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Retry.Base <= 0 {
		c.Retry.Base = 500 * time.Millisecond
	}
	if c.Retry.Max <= 0 {
		c.Retry.Max = 30 * time.Second
	}
	if c.Retry.Attempts <= 0 {
		c.Retry.Attempts = 6
	}
	return c
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Validate checks a config with defaults applied: names, URLs present,
// schedules that parse.
func (c Config) Validate() error {
	if len(c.Targets) == 0 {
		return errors.New("no targets: set bucket and warehouse, or a targets: list in the config file")
	}
	for name, v := range map[string]int64{"webhook_max_bytes": c.WebhookMaxBytes, "events_debounce": int64(c.EventsDebounce),
		"lease_ttl": int64(c.LeaseTTL)} {
		if v < 0 {
			return fmt.Errorf("%s: want 0 (the default) or more, not a negative", name)
		}
	}
	if c.Grace != nil && *c.Grace < 0 {
		return fmt.Errorf("grace_period %v: want 0 (cancel the load in flight at once) or more, not a negative", *c.Grace)
	}
	seen, warehouses := map[string]bool{}, map[string]string{}
	for _, t := range c.Targets {
		if seen[t.Name] {
			return fmt.Errorf("target %q: two targets have this name", t.Name)
		}
		seen[t.Name] = true
		// Two targets loading one warehouse would fight over its ledger
		// (DuckDB: its file) every cycle.
		if other, ok := warehouses[c.sameWarehouse(t.Warehouse)]; ok {
			return fmt.Errorf("targets %q and %q: both load warehouse %s; give each target its own (a schema= of its own on a server engine)", other, t.Name, t.Warehouse)
		}
		warehouses[c.sameWarehouse(t.Warehouse)] = t.Name
		if t.QuietPeriod < 0 {
			return fmt.Errorf("target %q: quiet_period: want 0 (the default) or more, not a negative", t.Name)
		}
		if t.Bucket == "" || t.Warehouse == "" {
			return fmt.Errorf("target %q: needs both bucket and warehouse", t.Name)
		}
		if t.Events != "" {
			if err := checkEventsURL(t.Events); err != nil {
				return fmt.Errorf("target %q: %v", t.Name, err)
			}
		}
		for _, k := range []struct{ key, s string }{{"schedule", t.Schedule}, {"facts_schedule", t.FactsSchedule},
			{"reconcile_schedule", t.ReconcileSchedule}} {
			if err := checkSchedule(k.s); err != nil {
				return fmt.Errorf("target %q: %s %q: %v (want a cron expression such as */5 * * * * or @every 5m)", t.Name, k.key, k.s, err)
			}
		}
	}
	return nil
}

// checkSchedule parses a schedule as the daemon will. The cron library
// takes "@every 0s" or a negative as every second, and a date no month has
// (0 0 30 2 *) as a schedule that never fires; those are refused.
func checkSchedule(s string) error {
	sched, err := cron.ParseStandard(s)
	if err != nil {
		return err
	}
	// Next searches five years ahead and returns the zero time when nothing
	// matches; the scheduler then never runs the job, so the daemon would
	// never load. The clock is read here, not injected: the question is
	// whether the schedule fires from now on, which is what the start asks.
	if sched.Next(time.Now().UTC()).IsZero() {
		return errors.New("never fires: no time matches it within 5 years")
	}
	if d, ok := strings.CutPrefix(s, "@every "); ok {
		if every, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && every < time.Second {
			return fmt.Errorf("@every %v is under the least, 1s", every)
		}
	}
	return nil
}

// sameWarehouse is a warehouse URL as compared between targets, written one
// way by c.Identity (a DuckDB file by its cleaned path, a PostgreSQL schema by
// server, database and schema: postgresql:// and postgres://, parameters in
// any order, schema= given or the default), else as written. Two targets on
// one PostgreSQL schema passed --check and then fought over its load lock
// every cycle (before it, hung).
func (c Config) sameWarehouse(raw string) string {
	if c.Identity == nil {
		return raw
	}
	return c.Identity(raw)
}

// targetKeys are the keys of one entry of targets:.
var targetKeys = []string{"name", "bucket", "warehouse", "schedule", "facts_schedule", "quiet_period", "events", "reconcile_schedule"}

// ParseTargets reads the targets: list of a YAML (or JSON) config file. With
// list true, raw is the list itself (as in SYNCTRACK_TARGETS).
func ParseTargets(raw []byte, list bool) ([]Target, error) {
	var entries []map[string]any
	if list {
		if err := yaml.Unmarshal(raw, &entries); err != nil {
			return nil, fmt.Errorf("targets: %v", err)
		}
	} else {
		var doc struct {
			Targets []map[string]any `yaml:"targets"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("targets: %v", err)
		}
		entries = doc.Targets
	}
	out := make([]Target, len(entries))
	for i, e := range entries {
		for k := range e {
			if !contains(targetKeys, k) {
				return nil, fmt.Errorf("targets[%d]: unknown key %q (known: %s)", i, k, strings.Join(targetKeys, ", "))
			}
		}
		str := func(k string) string {
			if v, ok := e[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		t := Target{Name: str("name"), Bucket: str("bucket"), Warehouse: str("warehouse"),
			Schedule: str("schedule"), FactsSchedule: str("facts_schedule"),
			Events: str("events"), ReconcileSchedule: str("reconcile_schedule")}
		if s := str("quiet_period"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("targets[%d]: quiet_period %q: want a duration such as 30m", i, s)
			}
			t.QuietPeriod = d
		}
		out[i] = t
	}
	return out, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// EventsSchemes are the subscription URL schemes --events takes.
var EventsSchemes = []string{"awssqs", "gcppubsub", "mem"}

// checkEventsURL checks a subscription URL's shape without connecting.
func checkEventsURL(raw string) error {
	i := strings.Index(raw, "://")
	if i > 0 && contains(EventsSchemes, raw[:i]) && len(raw) > i+3 {
		return nil
	}
	return fmt.Errorf("events %q: want a subscription URL: awssqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE?region=REGION, "+
		"gcppubsub://projects/PROJECT/subscriptions/SUB, or mem://TOPIC (tests)", raw)
}
