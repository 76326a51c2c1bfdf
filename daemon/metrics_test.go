package daemon_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/synctrack/synctrack/daemon"
)

// synctrack_open_runs is what the quiet sweep leaves open: the fixture's
// four runs right after they load, none once the quiet period has passed
// and the sweep has completed them (counted as completed_quiet).
func TestOpenRunsGauge(t *testing.T) {
	f := newFixture(t)
	f.start(daemon.Config{Listen: "127.0.0.1:0",
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h", QuietPeriod: 2 * time.Second}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	metric := func(re string) string {
		_, body := get(t, "http://"+f.d.Addr()+"/metrics")
		m := regexp.MustCompile(`(?m)^` + re + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if got := metric(`synctrack_open_runs\{target="default"\}`); got != "4" {
		t.Fatalf("open runs after the first load: %q, want 4", got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for metric(`synctrack_open_runs\{target="default"\}`) != "0" {
		if time.Now().After(deadline) {
			t.Fatal("runs still open long after the quiet period")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := metric(`synctrack_run_state_changes_total\{change="completed_quiet",target="default"\}`); got != "4" {
		t.Errorf("completed_quiet: %q, want 4", got)
	}
}

// Exported lists every family, the vectors with no series yet included.
func TestExportedMetrics(t *testing.T) {
	got, err := daemon.Exported()
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]string{
		"synctrack_open_runs": "GAUGE", "synctrack_load_failures_total": "COUNTER",
		"synctrack_load_lag_seconds": "HISTOGRAM", "synctrack_webhooks_total": "COUNTER",
		"synctrack_quarantined_objects": "GAUGE", "go_goroutines": "GAUGE",
		"synctrack_events_total": "COUNTER", "synctrack_event_lag_seconds": "HISTOGRAM",
		"synctrack_reconcile_findings_total": "COUNTER", "synctrack_events_receiving": "GAUGE",
	} {
		if got[name] != typ {
			t.Errorf("%s: %q, want %s", name, got[name], typ)
		}
	}
	own := 0
	for name := range got {
		if regexp.MustCompile(`^synctrack_`).MatchString(name) {
			own++
		}
	}
	if own != 20 {
		t.Errorf("%d synctrack_ families, want the 20 metrics.go registers: %v", own, got)
	}
}
