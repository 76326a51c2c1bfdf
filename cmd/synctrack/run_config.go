package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// daemonConfig builds the daemon's config from flags, SYNCTRACK_* and the
// config file. Targets come from its targets: list, else from --bucket and
// --warehouse. A target's own schedule wins over the file's flat keys, and a
// flag or environment variable wins over both.
func daemonConfig(cmd *cobra.Command) (daemon.Config, error) {
	fl := cmd.Flags()
	str := func(k string) string { v, _ := fl.GetString(k); return v }
	targets, err := configTargets(cmd)
	if err != nil {
		return daemon.Config{}, err
	}
	bucket, wh := str("bucket"), str("warehouse")
	quiet, _ := fl.GetDuration("quiet-period")
	if len(targets) == 0 {
		if bucket == "" || wh == "" {
			return daemon.Config{}, usageError("no targets: set --bucket and --warehouse, or a targets: list in the --config file")
		}
		targets = []daemon.Target{{Name: str("name"), Bucket: bucket, Warehouse: wh}}
	} else if bucket != "" || wh != "" {
		return daemon.Config{}, usageError("both targets: and bucket/warehouse are set; use one or the other")
	}
	explicit := func(k string) bool {
		_, env := os.LookupEnv(envName(k))
		return fl.Changed(k) || env
	}
	for i := range targets {
		t := &targets[i]
		if t.Name == "" {
			t.Name = unnamedTarget(i, len(targets))
		}
		if t.Schedule == "" || explicit("schedule") {
			t.Schedule = str("schedule")
		}
		if t.FactsSchedule == "" || explicit("facts-schedule") {
			t.FactsSchedule = str("facts-schedule")
		}
		if t.QuietPeriod == 0 || explicit("quiet-period") {
			t.QuietPeriod = quiet
		}
		if explicit("events") {
			if len(targets) > 1 {
				return daemon.Config{}, usageError("--events is one target's subscription: with several targets, set events: on each in the config file")
			}
			t.Events = str("events")
		}
		if t.Events != "" {
			key := "target " + t.Name + ": events"
			if explicit("events") {
				key = "--events"
			}
			if err := checkEvents(cmd.Context(), t.Events, key); err != nil {
				return daemon.Config{}, err
			}
		}
		if t.ReconcileSchedule != "" && t.Events == "" {
			return daemon.Config{}, usageError("target %s: reconcile_schedule needs events: on that target: without a subscription nothing reconciles", t.Name)
		}
		if t.ReconcileSchedule == "" || explicit("reconcile-schedule") {
			t.ReconcileSchedule = str("reconcile-schedule")
		}
		if err := checkWarehouseURL(t.Warehouse); err != nil {
			return daemon.Config{}, usageError("target %s: %v", t.Name, err)
		}
		if u, err := url.Parse(t.Bucket); err != nil || u.Scheme == "" {
			return daemon.Config{}, usageError("target %s: bucket %q: want a URL such as s3://bucket, gs://bucket or file:///abs/dir", t.Name, t.Bucket)
		}
		if _, err := engines.CheckTarget(t.Warehouse, t.Bucket, false); err != nil {
			return daemon.Config{}, usageError("target %s: %v", t.Name, err)
		}
	}
	if err := eventsOnlyFlags(cmd, targets, explicit); err != nil {
		return daemon.Config{}, err
	}
	secret, err := webhookSecret(str("webhook-secret"), explicit("webhook-secret") || setInFile(cmd, "webhook-secret"), str("webhook-secret-file"))
	if err != nil {
		return daemon.Config{}, err
	}
	cfg := daemon.Config{Targets: targets, Listen: str("listen"), WebhookSecret: secret, Identity: engines.Identity}
	cfg.WebhookMaxBytes, _ = fl.GetInt64("webhook-max-bytes")
	// The flag's default is the daemon's, so a 0 here was written (flag,
	// SYNCTRACK_GRACE_PERIOD or the file's grace_period) and means none.
	grace, _ := fl.GetDuration("grace-period")
	cfg.Grace = &grace
	cfg.LeaseTTL, _ = fl.GetDuration("lease-ttl")
	cfg.EventsDebounce, _ = fl.GetDuration("events-debounce")
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return daemon.Config{}, usageError("%v", err)
	}
	return cfg, nil
}

// eventsOnly are the flags that only a target with events uses.
var eventsOnly = []string{"reconcile-schedule", "events-debounce"}

// eventsOnlyFlags refuses an events-only flag set (flag, variable or config
// key) when no target has events, as --web-target without --web is: it
// would do nothing, and whoever set it meant notifications on.
func eventsOnlyFlags(cmd *cobra.Command, targets []daemon.Target, explicit func(string) bool) error {
	for _, t := range targets {
		if t.Events != "" {
			return nil
		}
	}
	for _, k := range eventsOnly {
		if explicit(k) || setInFile(cmd, k) {
			return usageError("--%s (config key %s) needs --events (or events: on a target): without a subscription nothing uses it",
				k, strings.ReplaceAll(k, "-", "_"))
		}
	}
	return nil
}

// unnamedTarget is the name of target i of n that has none.
func unnamedTarget(i, n int) string {
	if n > 1 {
		return fmt.Sprintf("target%d", i+1)
	}
	return "default"
}

// configTargets reads targets from --targets, SYNCTRACK_TARGETS or the config
// file's targets: key, in that order.
func configTargets(cmd *cobra.Command) ([]daemon.Target, error) {
	f := cmd.Flags().Lookup("targets")
	if f.Changed {
		return parseTargets([]byte(f.Value.String()), true, "--targets")
	}
	if v, ok := os.LookupEnv("SYNCTRACK_TARGETS"); ok {
		return parseTargets([]byte(v), true, "SYNCTRACK_TARGETS")
	}
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = os.Getenv("SYNCTRACK_CONFIG")
	}
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("config: %v", err)
	}
	return parseTargets(raw, false, path)
}

func parseTargets(raw []byte, list bool, from string) ([]daemon.Target, error) {
	ts, err := daemon.ParseTargets(raw, list)
	if err != nil {
		return nil, usageError("%s: %v", from, err)
	}
	return ts, nil
}

// webhookSecret reads the secret from file when given (spaces and newlines
// around it dropped), else takes the flag or SYNCTRACK_WEBHOOK_SECRET. An
// empty secret turns the webhook off, so one that was set yet is empty or
// blank is refused, as serve refuses an empty token file: whoever set it
// meant the webhook on, and would only see the sender's 404s.
func webhookSecret(value string, set bool, file string) (string, error) {
	if file != "" {
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", usageError("webhook secret: %v", err)
		}
		secret := strings.TrimSpace(string(raw))
		if secret == "" {
			return "", usageError("webhook secret file %s is empty or blank", file)
		}
		return secret, nil
	}
	if set && strings.TrimSpace(value) == "" {
		return "", usageError("webhook secret (--webhook-secret, SYNCTRACK_WEBHOOK_SECRET or the config file's webhook_secret) is empty or blank: set a secret or unset it")
	}
	return value, nil
}

// webhookState says whether POST /webhook will take deliveries, for the
// startup log and --check: an unset secret turns it off without an error.
func webhookState(cfg daemon.Config) string {
	switch {
	case cfg.Listen == "":
		return "webhook off: no --listen"
	case cfg.WebhookSecret == "":
		return "webhook off: no secret"
	}
	return "webhook on POST /webhook"
}
