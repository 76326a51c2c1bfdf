package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A sync.completed that names no run folder is refused, saying why:
// before, an org and a run without their sync (or no ids at all) listed
// every run folder of the bucket.
func TestWebhookPartialIDs(t *testing.T) {
	d := &Daemon{cfg: Config{WebhookSecret: "k", WebhookMaxBytes: 4096}, m: newMetrics(prometheus.NewRegistry()),
		log: slog.New(slog.NewTextHandler(io.Discard, nil)), deps: Deps{Now: time.Now}}
	for _, c := range []struct {
		body string
		code int
		want string
	}{
		{`{"type":"sync.completed","org_id":"1","sync_id":"2","sync_run_id":"3"}`, 202, "queued"},
		{`{"type":"sync.completed","org_id":"1","sync_id":"2"}`, 202, "queued"},
		{`{"type":"sync.completed","org_id":"1","sync_run_id":"3"}`, 400, "missing sync_id"},
		{`{"type":"sync.completed","sync_id":"2","sync_run_id":"3"}`, 400, "missing org_id"},
		{`{"type":"sync.completed","org_id":"1"}`, 400, "missing sync_id, sync_run_id"},
		{`{"type":"sync.completed"}`, 400, "missing org_id, sync_id, sync_run_id"},
		{`{}`, 400, "names no run folder"},
		{`{"type":"sync.started"}`, 202, "ignored"},
	} {
		rec := signedPost(d, c.body)
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %q, want %d %q", c.body, rec.Code, rec.Body, c.code, c.want)
		}
	}
}

// signedPost posts body, signed with d's secret, to d's /webhook.
func signedPost(d *Daemon, body string) *httptest.ResponseRecorder {
	m := hmac.New(sha256.New, []byte(d.cfg.WebhookSecret))
	m.Write([]byte(body))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
	req.Header.Set("X-Signature", hex.EncodeToString(m.Sum(nil)))
	d.Handler().ServeHTTP(rec, req)
	return rec
}

// A body refused as too large or unreadable is logged (WARN, with the
// reason and the sender), each reason once every dropSaidEvery with how many
// came since: before, only a bad signature was logged, and a sender whose
// bodies were all refused showed nowhere but the counter.
func TestWebhookRefusedBodiesLogged(t *testing.T) {
	var log bytes.Buffer
	now := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	d := &Daemon{cfg: Config{WebhookSecret: "k", WebhookMaxBytes: 64}, m: newMetrics(prometheus.NewRegistry()),
		log:  slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		deps: Deps{Now: func() time.Time { return now }}}
	big := `{"pad":"` + strings.Repeat("x", 100) + `"}`
	warns := func(reason string) []string {
		var got []string
		for _, l := range strings.Split(log.String(), "\n") {
			if strings.Contains(l, "level=WARN") && strings.Contains(l, "reason="+reason) {
				got = append(got, l)
			}
		}
		return got
	}
	for range 3 {
		if rec := signedPost(d, big); rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized: %d", rec.Code)
		}
	}
	for _, body := range []string{`{"a":`, `[]`} {
		if rec := signedPost(d, body); rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: %d", body, rec.Code)
		}
	}
	if rec := signedPost(d, `{"org_id":"1","sync_run_id":"3"}`); rec.Code != http.StatusBadRequest {
		t.Fatalf("partial ids: %d", rec.Code)
	}
	for reason, want := range map[string]string{"too_large": "max-bytes 64", "bad_body": "not a JSON object", "no_run_folder": "missing sync_id"} {
		got := warns(reason)
		if len(got) != 1 || !strings.Contains(got[0], "remote=192.0.2.1:1234") || !strings.Contains(got[0], want) {
			t.Errorf("%s: WARN lines %q, want one naming the sender and %q\n%s", reason, got, want, log.String())
		}
	}
	if n := strings.Count(log.String(), "level=DEBUG msg=\"webhook refused\" reason=too_large"); n != 2 {
		t.Errorf("%d repeated too_large at debug level, want 2:\n%s", n, log.String())
	}
	now = now.Add(dropSaidEvery)
	signedPost(d, big)
	if got := warns("too_large"); len(got) != 2 || !strings.Contains(got[1], "more_since=2") {
		t.Errorf("after %s: WARN lines %q, want a second with more_since=2", dropSaidEvery, got)
	}
}

// A bad signature is logged like the other refusals, once per reason every
// dropSaidEvery: it was a WARN per delivery, and an unsigned body needs no
// secret, so anyone could fill the log.
func TestWebhookBadSignaturesLoggedOnce(t *testing.T) {
	var log bytes.Buffer
	d := &Daemon{cfg: Config{WebhookSecret: "k", WebhookMaxBytes: 4096}, m: newMetrics(prometheus.NewRegistry()),
		log: slog.New(slog.NewTextHandler(&log, nil)), deps: Deps{Now: time.Now}}
	for range 3 {
		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{}`)))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("unsigned: %d", rec.Code)
		}
	}
	if n := strings.Count(log.String(), "level=WARN"); n != 1 || !strings.Contains(log.String(), "reason=bad_signature") ||
		!strings.Contains(log.String(), "remote=192.0.2.1:1234") {
		t.Errorf("%d WARN lines for 3 unsigned deliveries, want one with the reason and the sender:\n%s", n, log.String())
	}
}
