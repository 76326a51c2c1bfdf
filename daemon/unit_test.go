package daemon

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"
)

func TestValidSignature(t *testing.T) {
	body, secret := []byte(`{"type":"sync.completed"}`), []byte("k")
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	sum := m.Sum(nil)
	for _, c := range []struct {
		header string
		want   bool
	}{
		{hex.EncodeToString(sum), true},
		{"sha256=" + hex.EncodeToString(sum), true},
		{base64.StdEncoding.EncodeToString(sum), true},
		{"", false},
		{"sha256=", false},
		{hex.EncodeToString(sum[:31]), false},
		{hex.EncodeToString(append(sum[:31:31], sum[31]^1)), false},
	} {
		if got := validSignature(secret, body, c.header); got != c.want {
			t.Errorf("%q: %v, want %v", c.header, got, c.want)
		}
	}
}

func TestParseEvent(t *testing.T) {
	for _, c := range []struct {
		body string
		want event
		err  bool
	}{
		{`{"type":"sync.completed","data":{"org_id":"1","sync_id":"2","sync_run_id":"3"}}`, event{"sync.completed", "1", "2", "3"}, false},
		{`{"event":"sync.completed","orgId":1001,"syncId":52275,"syncRunId":8858779123456789}`, event{"sync.completed", "1001", "52275", "8858779123456789"}, false},
		{`{"eventType":"sync.started","payload":{"organizationId":"o"}}`, event{kind: "sync.started", org: "o"}, false},
		{`{"type":"sync.completed","org_id":"../x","sync_id":"2","sync_run_id":"3"}`, event{}, true},
		{`[1,2]`, event{}, true},
	} {
		got, err := parseEvent([]byte(c.body))
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v (error %v)", c.body, got, err, c.want, c.err)
		}
	}
}

func TestClassify(t *testing.T) {
	b := memblob.OpenBucket(nil)
	defer b.Close()
	_, notFound := b.ReadAll(context.Background(), "missing")
	for _, c := range []struct {
		err    error
		class  class
		reason string
	}{
		{context.Canceled, stopped, "stopped"},
		{fmt.Errorf("x: %w", errLeaseHeld), busy, "lease_held"},
		{errors.New(`IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held`), busy, "warehouse_locked"},
		{&PermanentError{Err: errors.New("bad"), Fix: "f"}, permanent, "config"},
		{errors.New("open w.duckdb: permission denied"), permanent, "permission"},
		{notFound, permanent, "not_found"},
		{errors.New("connection reset by peer"), transient, "transient"},
	} {
		cl, reason, _ := classify(c.err)
		if cl != c.class || reason != c.reason {
			t.Errorf("%v: %v %s, want %v %s", c.err, cl, reason, c.class, c.reason)
		}
	}
}

// Backoff doubles up to its cap, with jitter in the upper half; retry stops at
// the attempt bound and at once on permanent errors.
func TestRetry(t *testing.T) {
	r := Retry{Base: 8 * time.Millisecond, Max: 32 * time.Millisecond, Attempts: 4}
	for n, hi := range map[int]time.Duration{1: 8, 2: 16, 3: 32, 9: 32} {
		for range 50 {
			if d := r.backoff(n); d < hi*time.Millisecond/2 || d > hi*time.Millisecond {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, hi*time.Millisecond/2, hi*time.Millisecond)
			}
		}
	}
	calls, waits := 0, 0
	err := r.retry(context.Background(), time.After, classify, func() error { calls++; return errors.New("timeout") },
		func(error, class, string, int, time.Duration) { waits++ })
	if err == nil || calls != 4 || waits != 3 {
		t.Fatalf("transient: %d calls, %d waits, %v", calls, waits, err)
	}
	calls = 0
	r.retry(context.Background(), time.After, classify, func() error { calls++; return &PermanentError{Err: errors.New("no")} },
		func(error, class, string, int, time.Duration) {})
	if calls != 1 {
		t.Fatalf("permanent error tried %d times", calls)
	}
}
