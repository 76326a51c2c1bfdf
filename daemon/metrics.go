package daemon

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the daemon's Prometheus series; every one is per target.
type metrics struct {
	files       *prometheus.CounterVec
	rows        *prometheus.CounterVec
	failures    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	listed      *prometheus.CounterVec
	pending     *prometheus.GaugeVec
	lag         *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
	waits       *prometheus.CounterVec
	waitSeconds *prometheus.CounterVec
	runs        *prometheus.CounterVec
	queries     *prometheus.CounterVec
	webhooks    *prometheus.CounterVec
	quarantined *prometheus.GaugeVec
	openRuns    *prometheus.GaugeVec
	events      *prometheus.CounterVec
	eventLag    *prometheus.HistogramVec
	reconciled  *prometheus.CounterVec
	eventsUp    *prometheus.GaugeVec
	viewsFailed *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	t := []string{"target"}
	m := &metrics{
		files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_files_loaded_total",
			Help: "Objects loaded, by kind (records, metadata, fact)."}, append(t, "kind")),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_rows_loaded_total",
			Help: "Records rows loaded into sync_records."}, t),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_load_failures_total",
			Help: "Failures: bad_file per object that failed to load, else per failed cycle or wait by cause."}, append(t, "reason")),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "synctrack_load_duration_seconds",
			Help:    "Duration of load cycles, waits included, by what the cycle loaded (all, runs, facts, folder; tick: a schedule tick with --events, which lists nothing).",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 12)}, append(t, "scope")),
		listed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_objects_listed_total",
			Help: "Bucket objects listed."}, t),
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_pending_files",
			Help: "Objects found new or changed and not loaded yet (in the load in flight, or failed and waiting for a retry)."}, t),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "synctrack_load_lag_seconds",
			Help:    "From an object's last-modified time to its rows being committed.",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 16)}, t),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_last_success_timestamp_seconds",
			Help: "Unix time the target's last cycle succeeded."}, t),
		waits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_warehouse_waits_total",
			Help: "Backoff waits, by cause (warehouse_locked: another process has the DuckDB file; lease_held; transient)."}, append(t, "reason")),
		waitSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_warehouse_wait_seconds_total",
			Help: "Seconds spent waiting in backoff, by cause."}, append(t, "reason")),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_run_state_changes_total",
			Help: "Runs marked complete (by webhook or quiet period) or reopened by a late file."}, append(t, "change")),
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_warehouse_ops_total",
			Help: "Warehouse operations by the daemon: ledger_read, load, run_state, lease."}, append(t, "op")),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_webhooks_total",
			Help: "sync.completed deliveries by result: accepted, ignored, bad_signature, too_large, bad_request, stopping (503: sent during the stop)."}, []string{"result"}),
		quarantined: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_quarantined_objects",
			Help: "Objects in quarantine at the last listing: failed too often, not read until synctrack retry."}, t),
		// The quiet sweep counts the runs it leaves open; with the completions
		// in synctrack_run_state_changes_total this tells a run that stays open
		// (files still trickling in, or completions not happening) from a busy one.
		openRuns: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_open_runs",
			Help: "Runs open (not completed by sync.completed or the quiet period) at the last quiet-period sweep."}, t),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_events_total",
			Help: "Bucket notifications (--events) by result: received; applied (acknowledged after the load that covers them committed); malformed (no known shape reads them) and foreign (nothing of ours: a test event, a deletion, another bucket), both acknowledged and dropped; receive_error."}, append(t, "result")),
		eventLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "synctrack_event_lag_seconds",
			Help:    "From the object time a notification names (else its arrival) to the load covering it committed.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 16)}, t),
		reconciled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "synctrack_reconcile_findings_total",
			Help: "Objects the scheduled reconciliation listing found to load: they arrived without a notification (--events)."}, t),
		eventsUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_events_receiving",
			Help: "With --events: 1 while the subscription receives, 0 while it fails (then --schedule lists the bucket as without events)."}, t),
		viewsFailed: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_typed_views_failed",
			Help: "Syncs whose typed view the last load could not rebuild for a cause of their own (a view or table of yours in the way; the log says which and why): their rows are loaded, each load tries again."}, t),
	}
	reg.MustRegister(m.all()...)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// all lists the daemon's own collectors.
func (m *metrics) all() []prometheus.Collector {
	return []prometheus.Collector{m.files, m.rows, m.failures, m.duration, m.listed, m.pending, m.lag,
		m.lastSuccess, m.waits, m.waitSeconds, m.runs, m.queries, m.webhooks, m.quarantined, m.openRuns,
		m.events, m.eventLag, m.reconciled, m.eventsUp, m.viewsFailed}
}

// Exported maps every metric family the daemon exports to its type
// (COUNTER, GAUGE, HISTOGRAM, ...): the names dashboards and alert rules
// (configs/grafana) may use. A vector is gathered only once it has a series,
// so each of ours gets one, with placeholder labels, on a registry of its own.
func Exported() (map[string]string, error) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	for _, c := range m.all() {
		if !touch(c) {
			return nil, fmt.Errorf("metrics: cannot give %T a series", c)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(mfs))
	for _, mf := range mfs {
		out[mf.GetName()] = mf.GetType().String()
	}
	return out, nil
}

// touch makes one series of a vector, trying label counts until it fits.
func touch(c prometheus.Collector) bool {
	for n := 1; n <= 3; n++ {
		labels := make([]string, n)
		var err error
		switch v := c.(type) {
		case *prometheus.CounterVec:
			_, err = v.GetMetricWithLabelValues(labels...)
		case *prometheus.GaugeVec:
			_, err = v.GetMetricWithLabelValues(labels...)
		case *prometheus.HistogramVec:
			_, err = v.GetMetricWithLabelValues(labels...)
		default:
			return false
		}
		if err == nil {
			return true
		}
	}
	return false
}
