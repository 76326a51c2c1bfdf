package daemon

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// /readyz names the last failure of a target that is not ready by its
// reason, as the log does, and when; it said only "no cycle has succeeded
// yet". It answers without the pages' secret: the message, which names
// hosts, users and paths, is not in it (a review).
func TestReadyzNamesLastFailure(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sched, err := cron.ParseStandard("@every 5s")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		lastGood time.Time
		err      string
		want     string
	}{
		{"never", time.Time{}, "open warehouse: dial postgres://loader:s3cret@db.example:5432/w:\nconnection refused",
			"default: no cycle has succeeded yet; last cycle failed (network) at 2026-01-02T03:04:05Z: the log and the pages say why"},
		{"since", now.Add(-time.Minute), "bucket folder /b: no such file or directory",
			"default: last success 2026-01-02T03:03:05Z; last cycle failed (network) at 2026-01-02T03:04:05Z: the log and the pages say why"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := &Daemon{deps: Deps{Now: func() time.Time { return now }}, started: now.Add(-time.Hour)}
			d.targets = []*target{{d: d, cfg: Target{Name: "default"}, sched: sched, cycles: 3, lastGood: c.lastGood,
				last: LastCycle{At: now, Err: c.err}, lastReason: "network"}}
			rec := httptest.NewRecorder()
			d.readyz(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			body := rec.Body.String()
			if rec.Code != http.StatusServiceUnavailable || strings.TrimSpace(body) != c.want {
				t.Fatalf("/readyz: %d %q\nwant 503 %q", rec.Code, body, c.want)
			}
		})
	}
}

func TestRedactPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"no url here":                     "no url here",
		"s3://bucket/key":                 "s3://bucket/key",
		"https://user@host/x":             "https://user@host/x",
		`get "https://u:p%40ss@h/x": EOF`: `get "https://u:xxxxx@h/x": EOF`,
		"a://:pw@h and b://x:y@h2/":       "a://:xxxxx@h and b://x:xxxxx@h2/",
		"snowflake://u:p@ss@acct/db":      "snowflake://u:xxxxx@acct/db",
		"amqp://guest:pa/ss@rabbit":       "amqp://guest:xxxxx@rabbit",
	} {
		if got := redactPasswords(in); got != want {
			t.Errorf("redactPasswords(%q) = %q, want %q", in, got, want)
		}
	}
}
