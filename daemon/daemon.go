package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"
	"gocloud.dev/blob"
	"gocloud.dev/pubsub"

	"github.com/synctrack/synctrack/internal/httpserver"
	"github.com/synctrack/synctrack/internal/lograte"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// Deps are what the daemon is given rather than builds.
type Deps struct {
	Logger *slog.Logger
	Now    func() time.Time
	// After is the clock's timer, for backoff waits, lease heartbeats and
	// the grace period; time.After when nil.
	After func(time.Duration) <-chan time.Time
	// OpenBucket opens a bucket URL; root is the directory of a file:// bucket.
	OpenBucket func(ctx context.Context, url string) (b *blob.Bucket, root string, err error)
	// OpenWarehouse opens a target's warehouse URL for one cycle; its errors
	// carry a class (warehouse.ClassOf), which decides the retry. b and
	// bucketURL are the target's bucket, for engines that read it themselves
	// (BigQuery). readOnly asks for a reader (for DuckDB, a shared lock that
	// other readers can share).
	OpenWarehouse func(ctx context.Context, url string, b *blob.Bucket, bucketURL string, readOnly bool) (warehouse.Warehouse, error)
	// OpenSubscription opens a target's --events URL; pubsub.OpenSubscription
	// (the drivers the binary links) when nil.
	OpenSubscription func(ctx context.Context, url string) (*pubsub.Subscription, error)
	// Loader is the template of each cycle's loader options (batch sizes).
	Loader loader.Options
	// Registry gets the metrics; a new one when nil.
	Registry *prometheus.Registry
	// OnCycle, when set, is told of each finished cycle (tests, benchmarks).
	OnCycle func(Cycle)
	// Pages, when set, are the web pages (package web), served on the
	// listener under every path the daemon's own do not take.
	Pages http.Handler
	// Abort, when it closes during the shutdown (a second SIGTERM or
	// Ctrl-C), cancels the load in flight at once rather than at the end of
	// the grace period. Nil: only the grace period does.
	Abort <-chan struct{}
}

// Cycle is what one load cycle of one target did.
type Cycle struct {
	Target string
	Scope  string
	Report *loader.Report // nil when the cycle stopped before loading
	Loaded []string       // keys loaded
	Err    error
}

// LastCycle is how a target's last cycle ended, for the web pages: a
// load that found nothing new leaves no row in the warehouse, so only the
// daemon knows it looked.
type LastCycle struct {
	At     time.Time // when it ended; zero before the first
	Loaded int       // objects it loaded
	Failed int       // objects that failed in it (a cycle that ends well may hold some)
	Err    string    // why it failed, or ""
	// Views are the syncs whose typed views the last load could not rebuild
	// for a cause of their own, each with why (sync -> message).
	Views map[string]string
}

// LastCycle is how the named target's last cycle ended; false when there
// is no such target.
func (d *Daemon) LastCycle(target string) (LastCycle, bool) {
	for _, t := range d.targets {
		if t.cfg.Name == target {
			t.mu.Lock()
			defer t.mu.Unlock()
			return t.last, true
		}
	}
	return LastCycle{}, false
}

// Daemon runs every target's schedules and serves HTTP.
type Daemon struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	m       *metrics
	reg     *prometheus.Registry
	targets []*target
	holder  string // lease holder id
	started time.Time
	ln      net.Listener
	// stopping is set once a stop is asked: no new load starts, so the
	// webhook and /readyz say so rather than accept work for none.
	stopping atomic.Bool
	// webhookSaid keeps the log of refused webhook bodies to a line per
	// reason every dropSaidEvery: a sender that posts unsigned, oversized
	// or bad bodies in a loop (the first two need no secret, so anyone
	// can) should show in the log, not fill it.
	webhookSaid lograte.Limiter
	// webhookRuns keeps "sync.completed received" to a line per run a day
	// at INFO: a sender's retries of a delivery are not news.
	webhookRuns lograte.Limiter
}

// New checks the config, opens each target's bucket and, when cfg.Listen is
// set, binds the HTTP address (so a port in use fails now, not later).
func New(ctx context.Context, cfg Config, deps Deps) (*Daemon, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.After == nil {
		deps.After = time.After
	}
	if deps.OpenSubscription == nil {
		deps.OpenSubscription = pubsub.OpenSubscription
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	d := &Daemon{cfg: cfg, deps: deps, log: deps.Logger, reg: deps.Registry, started: deps.Now()}
	d.m = newMetrics(d.reg)
	d.holder = holderID()
	for _, tc := range cfg.Targets {
		t, err := newTarget(ctx, d, tc)
		if err != nil {
			d.closeBuckets()
			return nil, err
		}
		d.targets = append(d.targets, t)
	}
	if cfg.Listen != "" {
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			d.closeBuckets()
			// The user's to fix, as serve says it (exit 2): another process
			// holds the port, or it needs a privilege. It was exit 3, "try
			// again later", which a held port does not pass by.
			return nil, warehouse.Wrap(fmt.Errorf("listen %s: %w", cfg.Listen, err), warehouse.Config, "listen",
				"stop what listens there, or choose another --listen")
		}
		d.ln = ln
	}
	return d, nil
}

// Addr is the HTTP address the daemon listens on, or "".
func (d *Daemon) Addr() string {
	if d.ln == nil {
		return ""
	}
	return d.ln.Addr().String()
}

// Run loads on schedule until ctx ends, then stops taking work, lets the load
// in flight finish for up to the grace period (or until Deps.Abort closes),
// cancels it (its transaction rolls back) if it has not, and returns nil.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.closeBuckets()
	var srv *http.Server
	if d.ln != nil {
		srv = httpserver.New(d.Handler())
		go func() {
			if err := srv.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("http server stopped", "err", err)
			}
		}()
	}
	loadCtx, cancelLoads := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelLoads()
	c := cron.New(cron.WithLocation(time.UTC))
	var wg sync.WaitGroup
	for _, t := range d.targets {
		if err := t.schedule(c); err != nil {
			return err
		}
		t.request(scope{runs: true, facts: true, why: "startup"})
		wg.Go(func() { t.loop(ctx, loadCtx) })
		if t.sub != nil {
			in := make(chan scope)
			wg.Go(func() { t.receive(ctx, in) })
			wg.Go(func() { t.debounce(ctx, in) })
		}
	}
	c.Start()
	d.log.Info("daemon started", "targets", len(d.targets), "listen", d.Addr())
	for _, t := range d.targets {
		if t.sub != nil {
			t.log.Info("events on: the bucket's notifications drive the loads; --schedule lists nothing while they come",
				"subscription", SafeURL(t.cfg.Events), "reconcile", t.cfg.ReconcileSchedule, "debounce", d.cfg.EventsDebounce)
		}
	}
	<-ctx.Done()
	d.stopping.Store(true)
	c.Stop()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	d.drain(done, cancelLoads)
	d.closeSubscriptions()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	d.log.Info("stopped")
	return nil
}

// Handler serves /metrics, /healthz, /readyz and /webhook, and the web
// pages when Deps.Pages has them.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	if d.deps.Pages != nil {
		mux.Handle("/", d.deps.Pages)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { plainText(w); fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", d.readyz)
	mux.HandleFunc("/webhook", d.webhook)
	return mux
}

// plainText marks a reply as text, not to be sniffed: /readyz quotes
// errors, whose words may be an object's key or a status message.
func plainText(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// readyz is 200 when every target's last cycle succeeded, or it has not had
// its first cycle yet, or its last success is within two schedule periods.
// A subscription (--events) that fails is said in the body, either way: the
// schedule lists the bucket meanwhile, so loads stay current and the daemon
// ready, but notifications are not what loads them.
func (d *Daemon) readyz(w http.ResponseWriter, _ *http.Request) {
	plainText(w)
	now := d.deps.Now()
	var bad, notes []string
	if d.stopping.Load() {
		bad = append(bad, "stopping: no new loads")
	}
	for _, t := range d.targets {
		if msg := t.unready(now); msg != "" {
			bad = append(bad, t.cfg.Name+": "+msg)
		}
		if msg := t.eventsNote(); msg != "" {
			notes = append(notes, t.cfg.Name+": "+msg)
		}
	}
	if len(bad) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
	} else {
		fmt.Fprintln(w, "ok")
	}
	for _, b := range append(bad, notes...) {
		fmt.Fprintln(w, b)
	}
}
