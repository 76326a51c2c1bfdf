package daemon

import (
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
			Help:    "Duration of load cycles, waits included, by what the cycle loaded (runs, facts, folder).",
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
			Help: "sync.completed deliveries by result: accepted, ignored, bad_signature, too_large, bad_request."}, []string{"result"}),
		quarantined: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "synctrack_quarantined_objects",
			Help: "Objects in quarantine at the last listing: failed too often, not read until synctrack retry."}, t),
	}
	reg.MustRegister(m.files, m.rows, m.failures, m.duration, m.listed, m.pending, m.lag,
		m.lastSuccess, m.waits, m.waitSeconds, m.runs, m.queries, m.webhooks, m.quarantined,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
