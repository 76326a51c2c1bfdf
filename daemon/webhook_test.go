package daemon

import (
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

// A sync.completed that names no run folder is refused and saying why:
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
