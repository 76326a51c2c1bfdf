package daemon_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/synctrack/synctrack/daemon"
)

// With a 1 s schedule, a file added while the daemon runs is loaded by a tick,
// and /metrics counts exactly the rows in the warehouse.
func TestDaemonLoadsNewFiles(t *testing.T) {
	f := newFixture(t)
	f.start(daemon.Config{Listen: "127.0.0.1:0", Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h"}}})
	first := f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	if first.Err != nil || first.Report.Rows == 0 {
		t.Fatalf("startup cycle: %+v", first)
	}
	runs := f.runFolders()
	late := f.copyObject(f.aParquet(runs[0]), runs[0]+"records_updated.90.parquet")
	f.waitCycle("loading "+late, loadedKey(late))
	// Idle ticks after it load nothing.
	idle := f.waitCycle("idle", func(c daemon.Cycle) bool { return c.Err == nil && c.Report != nil && c.Report.Listed > 0 })
	if len(idle.Loaded) != 0 {
		t.Fatalf("an idle tick loaded %v", idle.Loaded)
	}

	code, _ := get(t, "http://"+f.d.Addr()+"/healthz")
	if code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if code, body := get(t, "http://"+f.d.Addr()+"/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	_, text := get(t, "http://"+f.d.Addr()+"/metrics")
	f.shutdown()

	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	value := func(name string, labels ...string) float64 {
		fam := fams[name]
		if fam == nil {
			t.Fatalf("/metrics has no %s", name)
		}
		var sum float64
	metrics:
		for _, m := range fam.Metric {
			got := map[string]string{}
			for _, l := range m.Label {
				got[l.GetName()] = l.GetValue()
			}
			for i := 0; i < len(labels); i += 2 {
				if got[labels[i]] != labels[i+1] {
					continue metrics
				}
			}
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			case m.Histogram != nil:
				sum += float64(m.Histogram.GetSampleCount())
			}
		}
		return sum
	}
	rows, _ := strconv.ParseFloat(f.query(`SELECT count(*) FROM synctrack.sync_records`)[0], 64)
	if got := value("synctrack_rows_loaded_total", "target", "default"); got != rows || rows == 0 {
		t.Fatalf("rows_loaded_total %v, sync_records has %v rows", got, rows)
	}
	recFiles, _ := strconv.ParseFloat(f.query(`SELECT count(*) FROM synctrack.load_ledger WHERE kind = 'records' AND status = 'loaded'`)[0], 64)
	if got := value("synctrack_files_loaded_total", "kind", "records"); got != recFiles {
		t.Fatalf("files_loaded_total{kind=records} %v, ledger has %v", got, recFiles)
	}
	if got := value("synctrack_load_lag_seconds"); got < recFiles {
		t.Fatalf("lag observed %v times for %v files", got, recFiles)
	}
	if value("synctrack_last_success_timestamp_seconds") == 0 || value("synctrack_objects_listed_total") == 0 ||
		value("synctrack_load_duration_seconds") < 3 {
		t.Fatalf("last success, listed or duration missing:\n%s", text)
	}
	if got := value("synctrack_pending_files"); got != 0 {
		t.Fatalf("pending files %v after everything loaded", got)
	}
	if n := f.query(`SELECT count(*) - count(DISTINCT (_file, _row)) FROM synctrack.sync_records`)[0]; n != "0" {
		t.Fatalf("%s duplicate rows", n)
	}
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func post(t *testing.T, url, body, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if sig != "" {
		req.Header.Set("X-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// With no tick due for an hour, a signed sync.completed loads its run at once
// and marks it complete; a wrongly signed one is refused and loads nothing.
func TestWebhookLoadsRun(t *testing.T) {
	const secret = "s3cret"
	f := newFixture(t)
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret, WebhookMaxBytes: 4096,
		Targets: []daemon.Target{{Schedule: "@every 1h", FactsSchedule: "@every 1h"}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" })
	runs := f.runFolders()
	parts := strings.Split(runs[0], "/") // sync_tracking_datasets/ORG/SYNC/RUN/
	org, sync := parts[1], parts[2]
	refused := f.newRun(runs[0], "run-refused")
	wanted := f.newRun(runs[0], "run-wanted")
	url := "http://" + f.d.Addr() + "/webhook"
	event := func(run string) string {
		return fmt.Sprintf(`{"type":"sync.completed","data":{"orgId":"%s","syncId":"%s","syncRunId":"%s"}}`, org, sync, run)
	}

	bad := event("run-refused")
	for _, c := range []struct {
		name, body, sig string
		want            int
	}{
		{"unsigned", bad, "", 401},
		{"signed with another secret", bad, sign("wrong", bad), 401},
		{"signature of another body", bad, sign(secret, event("run-wanted")), 401},
		{"oversize", `{"pad":"` + strings.Repeat("x", 5000) + `"}`, "", 413},
		// Signed but not one JSON object: null would read as no ids, and
		// trailing data would be dropped unread.
		{"signed null", "null", sign(secret, "null"), 400},
		{"signed array", "[]", sign(secret, "[]"), 400},
		{"signed object then garbage", `{"type":"sync.completed"} garbage`, sign(secret, `{"type":"sync.completed"} garbage`), 400},
		{"signed two objects", bad + bad, sign(secret, bad+bad), 400},
	} {
		if got := post(t, url, c.body, c.sig); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	good := event("run-wanted")
	if got := post(t, url, good, "sha256="+sign(secret, good)); got != 202 {
		t.Fatalf("signed webhook: %d", got)
	}
	c := f.waitCycle("for the webhook", func(c daemon.Cycle) bool { return c.Scope == "webhook" })
	if c.Err != nil || len(c.Loaded) != len(wanted) {
		t.Fatalf("webhook cycle loaded %v, want %v (err %v)", c.Loaded, wanted, c.Err)
	}
	// The sender retries: a duplicate delivery loads nothing again.
	if got := post(t, url, good, sign(secret, good)); got != 202 {
		t.Fatalf("duplicate webhook: %d", got)
	}
	c = f.waitCycle("for the duplicate", func(c daemon.Cycle) bool { return c.Scope == "webhook" })
	if c.Err != nil || len(c.Loaded) != 0 {
		t.Fatalf("duplicate delivery loaded %v (err %v)", c.Loaded, c.Err)
	}
	f.shutdown()

	prefix := func(run string) string { return "sync_tracking_datasets/" + org + "/" + sync + "/" + run + "/%" }
	if n := f.query(`SELECT count(*) FROM synctrack.load_ledger WHERE key LIKE ?`, prefix("run-refused"))[0]; n != "0" {
		t.Fatalf("the refused webhook's run has %s ledger rows; refused %v", n, refused)
	}
	if n := f.query(`SELECT count(*) - count(DISTINCT (_file, _row)) FROM synctrack.sync_records WHERE _file LIKE ?`, prefix("run-wanted"))[0]; n != "0" {
		t.Fatalf("%s duplicate rows after a duplicate delivery", n)
	}
	st := f.query(`SELECT state || ' ' || (completed_at IS NOT NULL) FROM synctrack.sync_runs WHERE sync_run_id = 'run-wanted'`)
	if len(st) != 1 || st[0] != "complete true" {
		t.Fatalf("run state after sync.completed: %v", st)
	}
	other := f.query(`SELECT DISTINCT state FROM synctrack.sync_runs WHERE sync_run_id <> 'run-wanted'`)
	if len(other) != 1 || other[0] != "open" {
		t.Fatalf("other runs' state: %v", other)
	}
}

// A sync.completed answered 202 while another process holds the warehouse
// longer than the cycle's retries is kept, not dropped: the next tick that
// reaches the warehouse loads the run and marks it complete (before, the run
// stayed open until the quiet period).
func TestWebhookKeptThroughFailedCycles(t *testing.T) {
	const secret = "s3cret"
	f := newFixture(t)
	f.start(daemon.Config{Listen: "127.0.0.1:0", WebhookSecret: secret,
		Retry:   daemon.Retry{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2},
		Targets: []daemon.Target{{Schedule: "@every 1s", FactsSchedule: "@every 1h", QuietPeriod: time.Hour}}})
	f.waitCycle("at startup", func(c daemon.Cycle) bool { return c.Scope == "startup" && c.Err == nil })
	runs := f.runFolders()
	parts := strings.Split(runs[0], "/")
	org, sync := parts[1], parts[2]
	f.locked.Store(true)
	keys := f.newRun(runs[0], "run-held")
	body := fmt.Sprintf(`{"type":"sync.completed","data":{"orgId":"%s","syncId":"%s","syncRunId":"run-held"}}`, org, sync)
	if got := post(t, "http://"+f.d.Addr()+"/webhook", body, sign(secret, body)); got != 202 {
		t.Fatalf("webhook: %d", got)
	}
	f.waitCycle("for the webhook to fail on the held warehouse", func(c daemon.Cycle) bool {
		return strings.Contains(c.Scope, "webhook") && c.Err != nil
	})
	f.locked.Store(false)
	f.waitCycle("loading the held run", loadedKey(keys[0]))
	f.shutdown()
	st := f.query(`SELECT state FROM synctrack.sync_runs WHERE sync_run_id = 'run-held'`)
	if len(st) != 1 || st[0] != "complete" {
		t.Fatalf("run state after a held warehouse: %v, want complete", st)
	}
}
