package daemon

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"

	"github.com/synctrack/synctrack/internal/imdsfake"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
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
		{fmt.Errorf("open: %w", &warehouse.Error{Class: warehouse.Transient, Reason: "locked", Err: errors.New("lock")}), busy, "warehouse_locked"},
		{&warehouse.Error{Class: warehouse.Config, Err: errors.New("bad")}, permanent, "config"},
		{&warehouse.Error{Class: warehouse.Config, Reason: "permission", Err: errors.New("denied")}, permanent, "permission"},
		{&warehouse.Error{Class: warehouse.Resource, Reason: "disk_full", Err: errors.New("full")}, resource, "disk_full"},
		{loader.BucketError(notFound), permanent, "not_found"},
		{&warehouse.Error{Class: warehouse.Transient, Reason: "network", Err: errors.New("reset")}, transient, "network"},
		{errors.New("something no table knows"), transient, "transient"},
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
	for _, c := range []warehouse.Class{warehouse.Config, warehouse.Resource} {
		calls = 0
		r.retry(context.Background(), time.After, classify, func() error { calls++; return &warehouse.Error{Class: c, Err: errors.New("no")} },
			func(error, class, string, int, time.Duration) {})
		if calls != 1 {
			t.Fatalf("%s error tried %d times in one cycle", c, calls)
		}
	}
}

// A subscription with no AWS credentials anywhere is config (credentials),
// as the README says, also where the instance metadata service the SDK asks
// last is not there and answers as the network would. The errors are the
// SDK's own (imdsfake), classed by type.
func TestEventsErrorNoCredentials(t *testing.T) {
	for _, answer := range []string{imdsfake.Status403, imdsfake.Refused} {
		var e *warehouse.Error
		if err := imdsfake.NoCredentials(t, answer); !errors.As(eventsError(err), &e) || e.Class != warehouse.Config || e.Reason != "credentials" {
			t.Errorf("%s (%v): %+v, want config credentials", answer, err, e)
		}
	}
	// The SDK says the same for a metadata service that was slow or failed
	// (an EC2 instance with a role, its service busy): that may pass.
	for _, answer := range []string{imdsfake.Status503, imdsfake.Stall} {
		var e *warehouse.Error
		if err := imdsfake.NoCredentials(t, answer); !errors.As(eventsError(err), &e) || e.Class != warehouse.Transient || !strings.Contains(e.Hint, "on EC2") {
			t.Errorf("%s (%v): %+v, want transient, saying what to do on EC2 and elsewhere", answer, err, e)
		}
	}
}
