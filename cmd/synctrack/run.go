package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/daemon"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
	"github.com/synctrack/synctrack/web"
)

const runHelp = `Run the daemon: keep one or more warehouses current on schedules.

Each target (a bucket and a warehouse) loads new run files on --schedule and the
fact tables under metadata/ on --facts-schedule (cron expressions, or @every D).
A load never overlaps another of the same target: a slow one delays the next tick.
The DuckDB file is held only while a load runs; when another process (the duckdb
CLI, a BI tool, synctrack report) holds it, the daemon waits with backoff.

With --web, the listener also serves the web pages of the first target (or of
--web-target NAME; see synctrack serve); beyond loopback they need
SYNCTRACK_WEB_TOKEN or --web-token-file.

HTTP on --listen: /metrics (Prometheus), /healthz, /readyz, the web pages with
--web, and POST /webhook for the vendor's sync.completed event (HMAC-SHA256 of
the body in X-Signature, keyed with SYNCTRACK_WEBHOOK_SECRET or --webhook-secret-file;
--webhook-secret shows it to ps), which loads that run at
once and marks it complete. A run with no new file for --quiet-period is
complete too; a late file reopens it.

Typed views: each load rebuilds those of the syncs it loaded; one that fails for
a cause of its own is named in the log and in synctrack_typed_views_failed, and
tried again with each load and every 10 minutes. The first load after start
rebuilds every loaded sync's view, as synctrack views does (after an upgrade,
the new binary's casts reach every view).

With --events URL the bucket's own object notifications drive the loads: an
awssqs:// queue (S3 event notifications, straight or through SNS or
EventBridge) or a gcppubsub:// subscription (GCS OBJECT_FINALIZE). Each names
an object; its run folder loads after --events-debounce without another, and
the message is acknowledged only once that load committed. Malformed or
foreign messages are counted and acknowledged. --schedule then lists nothing
(it only completes quiet runs), --facts-schedule is not used (fact files load
on their own notifications), and --reconcile-schedule lists the whole bucket
for objects whose notification never came. While the subscription fails (no
credentials, a deleted queue), both schedules list the bucket as without
--events, until it receives again; /readyz and synctrack_events_receiving say so.

A target's warehouse is any engine load takes (%s).
Loads hold a lease row in the warehouse, renewed by a heartbeat every --lease-ttl/3.
A crashed daemon's lease expires after --lease-ttl; a daemon restarted on the same
Linux machine (same boot, same PID namespace: systemd, not a new container) sees
the holder's process is gone and takes the lease at once.

SIGTERM or SIGINT: no new loads, a backoff wait ends at once; the load in flight
gets --grace-period to finish (0s: none), then rolls back; exit 0. A second
SIGTERM or Ctrl-C rolls it back at once, without waiting out the grace period
(what committed stays loaded, ledger included); a third ends the process at
once, as kill -9 would (what was not committed is not loaded).

Several targets come from the config file:

  listen: ":8080"
  targets:
    - name: prod
      bucket: s3://acme-sync-logs?region=us-east-1
      warehouse: duckdb:///var/lib/synctrack/prod.duckdb
      schedule: "@every 5m"        # default
      facts_schedule: "@every 6h"  # default
      quiet_period: 30m            # default
      events: awssqs://sqs.us-east-1.amazonaws.com/123456789012/sync-logs?region=us-east-1
      reconcile_schedule: "@daily" # default; with events only

Examples:
  synctrack run --bucket file:///data/bucket --warehouse duckdb://./sync-logs.duckdb --schedule '@every 10s'
  synctrack run --bucket gs://acme-sync-logs --warehouse 'bigquery://acme/synctrack?location=US'
  synctrack run --config /etc/synctrack/synctrack.yaml
  synctrack run --config synctrack.yaml --check      # validate and exit`

func newRunCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "run [--config FILE | --bucket URL --warehouse URL]",
		Short: "Run the daemon: scheduled loads, sync.completed webhook, /metrics",
		Long:  fmt.Sprintf(runHelp, engines.Schemes()),
		Args:  noArgs,
		RunE:  runDaemon,
	}
	addTargetFlags(c)
	f := c.Flags()
	f.String("name", "default", "target name in logs and metrics (single target)")
	f.String("schedule", daemon.DefaultSchedule, "when to load run folders: cron expression or @every D")
	f.String("facts-schedule", daemon.DefaultFactsSchedule, "when to refresh the fact tables under metadata/")
	f.Duration("quiet-period", daemon.DefaultQuietPeriod, "a run with no new file for this long is complete")
	f.String("events", "", "bucket notifications subscription: awssqs://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE or gcppubsub://projects/P/subscriptions/S")
	f.String("reconcile-schedule", daemon.DefaultReconcileSchedule, "with --events: when to list the whole bucket for objects whose notification never came")
	f.Duration("events-debounce", daemon.DefaultEventsDebounce, "with --events: wait this long for more notifications before loading (a burst becomes one load)")
	f.String("listen", ":8080", "HTTP address for /metrics, /healthz, /readyz, /webhook and (with --web) the web pages; empty for none")
	f.String("webhook-secret", "", "HMAC-SHA256 key of sync.completed deliveries (better: env SYNCTRACK_WEBHOOK_SECRET)")
	f.String("webhook-secret-file", "", "file holding the webhook secret")
	f.Int64("webhook-max-bytes", daemon.DefaultWebhookBytes, "largest webhook body accepted (413 above)")
	f.Duration("grace-period", daemon.DefaultGrace, "after SIGTERM, how long the load in flight may finish (0: cancel it at once)")
	f.Duration("lease-ttl", daemon.DefaultLeaseTTL, "how long a crashed daemon's lease keeps others from loading (a restart on the same machine takes it at once)")
	f.Int("workers", loader.DefaultWorkers, "objects read at once: downloads, footer checks, metadata.json (object stores answer each read after tens of ms)")
	f.Int("batch-files", 0, "most files per load statement (0: the warehouse's default; DuckDB 1,000)")
	f.Int64("batch-bytes", 0, "most bytes staged per load statement (0: DuckDB 256 MiB; no limit where nothing is staged)")
	f.Duration("settle", 30*time.Second, "file:// buckets: a file changed this recently that does not read whole is left for the next cycle, not failed")
	f.String("stage-dir", "", stageDirHelp)
	f.String("memory-limit", "auto", memoryLimitHelp)
	f.Int("quarantine-after", loader.DefaultQuarantineAfter, "failed tries after which an object is quarantined: not read again until synctrack retry (0: never)")
	f.Bool("web", false, "serve the web pages (synctrack serve's) of the first target (or --web-target's) on --listen; beyond loopback only with "+web.TokenEnv+" or --web-token-file")
	f.String("web-token-file", "", "file holding the web pages' secret (else env "+web.TokenEnv+")")
	f.String("web-target", "", "with several targets, the name of the one whose pages --web serves (default: the first)")
	f.Int("retention", 0, retentionHelp)
	f.Bool("check", false, "make the start's checks (the config, a file:// bucket's and a DuckDB file's folders, --listen, secrets) and exit")
	f.Var(&rawValue{}, "targets", "targets as a YAML or JSON list (normally the config file's targets: key)")
	_ = f.MarkHidden("targets")
	return c
}

// rawValue keeps a flag's text as given; the targets key is a list, parsed by
// runDaemon, and this lets the generic config loader accept the key.
type rawValue struct{ s string }

func (v *rawValue) String() string     { return v.s }
func (v *rawValue) Set(s string) error { v.s = s; return nil }
func (v *rawValue) Type() string       { return "yaml" }

func runDaemon(cmd *cobra.Command, _ []string) error {
	log, err := newLogger(cmd, os.Stderr)
	if err != nil {
		return err
	}
	cfg, err := daemonConfig(cmd)
	if err != nil {
		return err
	}
	retention, err := preflight(cmd, cfg, log)
	if err != nil {
		return err
	}
	ml, _ := cmd.Flags().GetString("memory-limit")
	if check, _ := cmd.Flags().GetBool("check"); check {
		for _, t := range cfg.Targets {
			fmt.Fprintf(cmd.OutOrStdout(), "target %s: %s -> %s, runs %s, facts %s, quiet %s\n",
				t.Name, t.Bucket, t.Warehouse, t.Schedule, t.FactsSchedule, t.QuietPeriod)
			if t.Events != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "target %s: events %s, reconcile %s\n", t.Name, daemon.SafeURL(t.Events), t.ReconcileSchedule)
			}
		}
		fmt.Fprintln(cmd.OutOrStdout(), graceState(cfg))
		fmt.Fprintln(cmd.OutOrStdout(), webhookState(cfg))
		fmt.Fprintln(cmd.OutOrStdout(), "config ok")
		return nil
	}
	tuneGC(os.Getenv("GOGC"))
	limit, err := applyMemoryLimit(ml, os.Getenv("GOMEMLIMIT"), cgroupMemoryMax())
	if err != nil {
		return err
	}
	if limit > 0 && limit < math.MaxInt64 {
		log.Info("Go memory limit", "bytes", limit)
	}
	lo := loader.Options{}
	lo.BatchFiles, _ = cmd.Flags().GetInt("batch-files")
	lo.Workers, _ = cmd.Flags().GetInt("workers")
	lo.BatchBytes, _ = cmd.Flags().GetInt64("batch-bytes")
	lo.Settle, _ = cmd.Flags().GetDuration("settle")
	lo.StageDir, _ = cmd.Flags().GetString("stage-dir")
	lo.QuarantineAfter, _ = cmd.Flags().GetInt("quarantine-after")
	if lo.QuarantineAfter == 0 {
		lo.QuarantineAfter = -1 // the flag's 0 is never; the option's 0 is the default
	}
	lo.RetentionDays = retention
	ctx := cmd.Context()
	// The pages say how the daemon's last cycle ended; it serves them only
	// once it runs, so running is set before any page is asked for.
	var running atomic.Pointer[daemon.Daemon]
	checked := func(target string) (web.Checked, bool) {
		d := running.Load()
		if d == nil {
			return web.Checked{}, false
		}
		c, ok := d.LastCycle(target)
		if !ok || c.At.IsZero() {
			return web.Checked{}, false
		}
		return web.Checked{At: c.At, Loaded: int64(c.Loaded), Failed: int64(c.Failed), Err: c.Err, Views: c.Views}, true
	}
	pages, files, closePages, err := daemonPages(cmd, cfg, log, checked)
	if err != nil {
		return err
	}
	defer closePages()
	d, err := daemon.New(ctx, cfg, daemon.Deps{
		Logger:           log,
		OpenBucket:       func(ctx context.Context, u string) (*blob.Bucket, string, error) { return openBucket(ctx, u, log) },
		OpenWarehouse:    targetOpener(log, files),
		OpenSubscription: eventsOpener(log),
		Loader:           lo,
		Pages:            pages,
		Abort:            secondInterrupt(ctx),
	})
	if err != nil {
		return err
	}
	running.Store(d)
	if pages != nil {
		log.Info("web pages", "url", pagesURL(d.Addr()))
	}
	log.Info(webhookState(cfg))
	defer ignoreHangups(log)()
	return d.Run(ctx)
}

// preflight makes every check of the start that takes no warehouse's lock
// and serves nothing: the loads' numbers, retention, the memory limit,
// --listen and the web pages' secret (beyond loopback only with one), then
// each target's bucket as the daemon opens it (a file:// bucket's folder, a
// gs:// bucket's credentials) and the place of its warehouse (a DuckDB
// file's folder). daemonConfig has made the config's own (the file's keys,
// the URLs' shapes, the webhook secret). --check is this and no more, and
// the start makes it first: what one refuses the other does, with the same
// message. --check runs on the machine the daemon is to run on: a bucket
// folder or a warehouse folder made elsewhere is not there.
func preflight(cmd *cobra.Command, cfg daemon.Config, log *slog.Logger) (retention int, err error) {
	if err := checkLoadFlags(cmd); err != nil {
		return 0, err
	}
	if cfg.Listen != "" {
		if err := web.CheckAddr(cfg.Listen); err != nil {
			return 0, usageError("--listen (config key listen): %v", err)
		}
	}
	if retention, err = retentionDays(cmd); err != nil {
		return 0, err
	}
	ml, _ := cmd.Flags().GetString("memory-limit")
	if _, err := parseMemoryLimit(ml); err != nil {
		return 0, err
	}
	if _, _, err := daemonWebAuth(cmd, cfg); err != nil {
		return 0, err
	}
	for _, t := range cfg.Targets {
		b, _, err := openBucket(cmd.Context(), t.Bucket, log)
		if err != nil {
			return 0, err
		}
		_ = b.Close()
		if err := engines.CheckPlace(t.Warehouse); err != nil {
			return 0, usageError("target %s: %v", t.Name, err)
		}
	}
	return retention, nil
}

// graceState says what SIGTERM does to the load in flight, for --check: a
// grace period of 0 used to mean the default unseen.
func graceState(cfg daemon.Config) string {
	if *cfg.Grace == 0 {
		return "on SIGTERM: the load in flight is cancelled at once (grace period 0s)"
	}
	return fmt.Sprintf("on SIGTERM: the load in flight may finish for the grace period, %s", *cfg.Grace)
}

// daemonWebAuth reads the web pages' secret when --web asks, refusing a
// listener beyond loopback without one, as serve does. --check runs it too,
// so a config it passes does not fail at start.
func daemonWebAuth(cmd *cobra.Command, cfg daemon.Config) (auth web.Auth, on bool, err error) {
	if on, _ := cmd.Flags().GetBool("web"); !on {
		if name, _ := cmd.Flags().GetString("web-target"); name != "" {
			return web.Auth{}, false, usageError("--web-target (config key web_target) picks the pages --web serves: give --web too")
		}
		return web.Auth{}, false, nil
	}
	if cfg.Listen == "" {
		return web.Auth{}, false, usageError("--web needs --listen")
	}
	if _, err := webTarget(cmd, cfg); err != nil {
		return web.Auth{}, false, err
	}
	file, _ := cmd.Flags().GetString("web-token-file")
	if auth, err = webAuth(file, "web-token-file", cfg.Listen); err != nil {
		return web.Auth{}, false, usageError("--web: %v", err)
	}
	return auth, true, nil
}

// webTarget is the target whose pages --web serves: --web-target's, or
// the first.
func webTarget(cmd *cobra.Command, cfg daemon.Config) (daemon.Target, error) {
	name, _ := cmd.Flags().GetString("web-target")
	if name == "" {
		return cfg.Targets[0], nil
	}
	var names []string
	for _, t := range cfg.Targets {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return daemon.Target{}, usageError("--web-target %q (config key web_target): no target of that name (targets: %s)", name, strings.Join(names, ", "))
}

// daemonPages builds the web pages of one target (webTarget) when --web
// asks; files is how they read its database file, for the target's idle
// cycles (nil for a server engine).
func daemonPages(cmd *cobra.Command, cfg daemon.Config, log *slog.Logger,
	checked func(target string) (web.Checked, bool)) (pages http.Handler, files *filePages, closeAll func() error, err error) {
	none := func() error { return nil }
	auth, on, err := daemonWebAuth(cmd, cfg)
	if err != nil || !on {
		return nil, nil, none, err
	}
	t, err := webTarget(cmd, cfg)
	if err != nil {
		return nil, nil, none, err
	}
	open, closeWH, holdsFile, err := webOpener(cmd.Context(), t.Warehouse, warehouse.Options{Logger: log, Now: time.Now}, false)
	if err != nil {
		return nil, nil, none, err
	}
	s, err := web.New(web.Options{Open: open, Auth: auth, Logger: log, Now: time.Now, Pending: pendingFiles(t.Bucket, log),
		Checked: func() (web.Checked, bool) { return checked(t.Name) }})
	if err != nil {
		closeWH()
		return nil, nil, none, err
	}
	if holdsFile {
		files = &filePages{url: t.Warehouse, open: open}
	}
	return s.Handler(), files, closeWH, nil
}

// checkWarehouseURL checks a warehouse URL's shape without connecting.
func checkWarehouseURL(raw string) error {
	_, err := engines.Check(raw)
	return err
}
