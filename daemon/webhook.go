package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/synctrack/synctrack/internal/httpserver"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// webhook takes the vendor's sync.completed delivery: it checks the body's
// HMAC-SHA256 in X-Signature and queues a load of that run's folder on every
// target. The load is exactly-once, so the sender's retries add nothing.
func (d *Daemon) webhook(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, result, msg string) {
		d.m.webhooks.WithLabelValues(result).Inc()
		http.Error(w, msg, code)
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if d.cfg.WebhookSecret == "" {
		http.Error(w, "webhook disabled: set webhook_secret (SYNCTRACK_WEBHOOK_SECRET)", http.StatusNotFound)
		return
	}
	limit := d.cfg.WebhookMaxBytes
	if r.ContentLength > limit {
		d.refusedBody("too_large", fmt.Sprintf("Content-Length %d over --webhook-max-bytes %d", r.ContentLength, limit), r.RemoteAddr)
		reply(http.StatusRequestEntityTooLarge, "too_large", "body too large")
		return
	}
	body, err := httpserver.ReadBody(w, r, limit)
	if err != nil {
		d.refusedBody("read_body", err.Error(), r.RemoteAddr)
		reply(http.StatusBadRequest, "bad_request", "read body")
		return
	}
	if int64(len(body)) > limit {
		d.refusedBody("too_large", fmt.Sprintf("body over --webhook-max-bytes %d", limit), r.RemoteAddr)
		reply(http.StatusRequestEntityTooLarge, "too_large", "body too large")
		return
	}
	if !validSignature([]byte(d.cfg.WebhookSecret), body, r.Header.Get("X-Signature")) {
		d.refusedBody("bad_signature", "bad or missing X-Signature", r.RemoteAddr)
		reply(http.StatusUnauthorized, "bad_signature", "bad or missing X-Signature")
		return
	}
	ev, err := parseEvent(body)
	if err != nil {
		d.refusedBody("bad_body", err.Error(), r.RemoteAddr)
		reply(http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if ev.kind != "" && ev.kind != "sync.completed" {
		reply(http.StatusAccepted, "ignored", "ignored event "+ev.kind)
		return
	}
	if d.stopping.Load() {
		// Accepted, it would be dropped with the process: the sender's
		// retry reaches the next one.
		w.Header().Set("Retry-After", "30")
		reply(http.StatusServiceUnavailable, "stopping", "stopping: send it again")
		return
	}
	s := scope{why: "webhook"}
	switch {
	case ev.org != "" && ev.sync != "" && ev.run != "":
		ref := warehouse.RunRef{OrgID: ev.org, SyncID: ev.sync, RunID: ev.run}
		s.folders = map[string]bool{loader.RunsPrefix + ev.org + "/" + ev.sync + "/" + ev.run + "/": true}
		s.complete = map[warehouse.RunRef]bool{ref: true}
	case ev.org != "" && ev.sync != "":
		s.folders = map[string]bool{loader.RunsPrefix + ev.org + "/" + ev.sync + "/": true}
	default:
		// Anything less names no folder (a run's is under its org and
		// sync), and listing every run for it costs what the bucket holds.
		d.refusedBody("no_run_folder", ev.partial(), r.RemoteAddr)
		reply(http.StatusBadRequest, "bad_request", ev.partial())
		return
	}
	// A run's first delivery at INFO, its copies within a day at DEBUG. At
	// DEBUG only, a delivery for a run no target's bucket has (a webhook
	// ahead of the files, a bucket or prefix set wrong) left nothing at
	// INFO, each target saying "nothing in this bucket" at DEBUG; at INFO
	// every time, a sender's retries flooded the log (both found by
	// reviews). What it comes to is said by each target's cycle: a run
	// completed at INFO, one complete already at DEBUG.
	level := slog.LevelDebug
	if due, _ := d.webhookRuns.Due(ev.org+"/"+ev.sync+"/"+ev.run, d.deps.Now(), 24*time.Hour); due {
		level = slog.LevelInfo
	}
	d.log.Log(r.Context(), level, "sync.completed received", "org", ev.org, "sync", ev.sync, "run", ev.run)
	for _, t := range d.targets {
		t.request(s)
	}
	reply(http.StatusAccepted, "accepted", "queued")
}

// validSignature compares in constant time. The header holds the digest in
// hex or base64, optionally after "sha256=".
func validSignature(secret, body []byte, header string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return false
	}
	header = strings.TrimPrefix(header, "sha256=")
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := mac.Sum(nil)
	got, err := hex.DecodeString(header)
	if err != nil || len(got) != len(want) {
		got, err = base64.StdEncoding.DecodeString(header)
		if err != nil {
			return false
		}
	}
	return hmac.Equal(got, want)
}

type event struct{ kind, org, sync, run string }

// partial says why ev, short of org_id and sync_id, names no run folder.
func (ev event) partial() string {
	var missing []string
	for _, id := range []struct{ name, v string }{{"org_id", ev.org}, {"sync_id", ev.sync}, {"sync_run_id", ev.run}} {
		if id.v == "" {
			missing = append(missing, id.name)
		}
	}
	return "sync.completed names no run folder: missing " + strings.Join(missing, ", ") +
		" (org_id, sync_id and sync_run_id name a run; org_id and sync_id all of a sync's runs)"
}

// parseEvent reads the event type and ids. The vendor's exact key names are
// not published, so snake_case and camelCase, flat or under data/payload/run.
func parseEvent(body []byte) (event, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return event{}, fmt.Errorf("body is not a JSON object: %v", err)
	}
	// null decodes into a nil map without error, and would read as an
	// object with no keys.
	if top == nil {
		return event{}, fmt.Errorf("body is not a JSON object: got null")
	}
	// Decode stops after the first value; what follows would be signed yet
	// never read.
	if _, err := dec.Token(); err != io.EOF {
		return event{}, fmt.Errorf("body is not a single JSON object: data after it")
	}
	objs := []map[string]any{top}
	for _, k := range []string{"data", "payload", "sync_run", "syncRun", "run", "object"} {
		if m, ok := top[k].(map[string]any); ok {
			objs = append(objs, m)
		}
	}
	find := func(keys ...string) string {
		for _, o := range objs {
			for _, k := range keys {
				switch v := o[k].(type) {
				case string:
					return v
				case json.Number:
					return v.String()
				}
			}
		}
		return ""
	}
	ev := event{
		kind: find("type", "event", "event_type", "eventType"),
		org:  find("org_id", "orgId", "organization_id", "organizationId"),
		sync: find("sync_id", "syncId", "sync_configuration_id", "syncConfigurationId"),
		run:  find("sync_run_id", "syncRunId", "run_id", "runId"),
	}
	for _, id := range []string{ev.org, ev.sync, ev.run} {
		if strings.ContainsAny(id, "/\\") || id == "." || id == ".." {
			return event{}, fmt.Errorf("id %q is not a folder name", id)
		}
	}
	return ev, nil
}

// refusedBody logs a delivery answered 400, 401 or 413: a WARN with the reason,
// why in words and the sender's address, each reason at most once every
// dropSaidEvery (the others at debug level, counted in more_since).
func (d *Daemon) refusedBody(reason, why, remote string) {
	args := []any{"reason", reason, "why", why, "remote", remote}
	due, since := d.webhookSaid.Due(reason, d.deps.Now(), dropSaidEvery)
	if !due {
		d.log.Debug("webhook refused", args...)
		return
	}
	if since > 0 {
		args = append(args, "more_since", since)
	}
	d.log.Warn("webhook refused", append(args, "said_again_after", dropSaidEvery)...)
}
