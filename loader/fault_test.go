package loader_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/internal/faultproxy"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// target picks the requests a fault breaks, and the object they are about
// ("" for a listing).
type target func(r *faultRig) (func(*http.Request) bool, string)

func recordsGET(r *faultRig) (func(*http.Request) bool, string) {
	k := r.recordsKey(7)
	return faultproxy.Object(faultBucket, k), k
}

func metadataGET(r *faultRig) (func(*http.Request) bool, string) {
	k := r.runs[len(r.runs)/2]
	return faultproxy.Object(faultBucket, k), k
}

func factGET(r *faultRig) (func(*http.Request) bool, string) {
	k := r.facts[0]
	return faultproxy.Object(faultBucket, k), k
}

func listing(*faultRig) (func(*http.Request) bool, string) { return faultproxy.List(faultBucket), "" }

// What goes wrong between the loader and S3 (through a proxy, seen by the
// real aws-sdk-go-v2 client) is never blamed on an object. A fault the SDK's
// own retries get past costs nothing; one that persists stops the load with a
// Transient error, nothing marked failed and no ledger row for the object it
// hit; and the next load, without faults, loads every file exactly once.
func TestBucketFaults(t *testing.T) {
	cases := []struct {
		name     string
		target   target
		fault    faultproxy.Fault
		times    int    // faults injected at most; 0: every matching request
		recovers bool   // the SDK retries past it: the first load succeeds
		reason   string // the stopping error's reason, when it must be this one
		says     string // ... and words its message must have
	}{
		{"records GET one 500", recordsGET, faultproxy.Error500, 1, true, "", ""},
		{"records GET 500", recordsGET, faultproxy.Error500, 0, false, "bucket", "500"},
		{"records GET 503", recordsGET, faultproxy.Error503, 0, false, "bucket", "503"},
		{"records GET one reset", recordsGET, faultproxy.Reset, 1, true, "", ""},
		{"records GET reset", recordsGET, faultproxy.Reset, 0, false, "network", "connection reset"},
		{"records GET reset mid-body", recordsGET, faultproxy.ResetBody, 0, false, "network", "connection reset"},
		{"records GET stall", recordsGET, faultproxy.Stall, 0, false, "stalled", "no data from the bucket"},
		{"records GET stall mid-body", recordsGET, faultproxy.StallBody, 0, false, "stalled", "no data from the bucket"},
		{"records GET truncated", recordsGET, faultproxy.Truncate, 0, false, "", "EOF"},
		{"records GET short", recordsGET, faultproxy.Short, 0, false, "", "short read"},
		{"metadata GET 500", metadataGET, faultproxy.Error500, 0, false, "bucket", "500"},
		{"metadata GET reset", metadataGET, faultproxy.Reset, 0, false, "network", "connection reset"},
		{"metadata GET stall", metadataGET, faultproxy.Stall, 0, false, "stalled", "no data from the bucket"},
		{"metadata GET truncated", metadataGET, faultproxy.Truncate, 0, false, "", "EOF"},
		{"metadata GET short", metadataGET, faultproxy.Short, 0, false, "", "short read"},
		{"fact GET truncated", factGET, faultproxy.Truncate, 0, false, "", "EOF"},
		{"LIST 500", listing, faultproxy.Error500, 0, false, "bucket", "500"},
		{"LIST 503", listing, faultproxy.Error503, 0, false, "bucket", "503"},
		{"LIST reset", listing, faultproxy.Reset, 0, false, "network", "connection reset"},
		{"LIST stall", listing, faultproxy.Stall, 0, false, "stalled", "no data from the bucket"},
	}
	var summary []string
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			r := newFaultRig(t)
			match, key := c.target(r)
			r.proxy.Inject(faultproxy.Rule{Match: match, Fault: c.fault, Times: c.times})
			// A stall holds a read until the client gives up, so the stall
			// timeout only sets how long those cases take. It is not used
			// for the other faults: the SDK's backoff between its retries
			// of a 5xx (up to 6 s) would count as a stall.
			var stall time.Duration
			if c.fault == faultproxy.Stall || c.fault == faultproxy.StallBody {
				stall = 2 * time.Second
			}
			rep, err := r.load(t, stall)
			faults, requests := r.proxy.Total()
			if faults == 0 {
				t.Fatal("no fault injected: the rule matched no request")
			}
			first := r.tally(t, r.w.DB())
			stopped := "none"
			if err != nil {
				reason, _ := warehouse.Explain(err)
				stopped = warehouse.ClassOf(err).String() + "/" + reason
			}
			if c.recovers {
				if err != nil || len(rep.Failed) > 0 {
					t.Fatalf("the SDK should have retried past %d %s: %v %v", faults, c.fault, err, rep.Failed)
				}
			} else {
				r.stoppedClean(t, rep, err, key, c.reason, c.says)
			}
			if first.duplicated != 0 {
				t.Fatalf("%d rows duplicated by the faulty load", first.duplicated)
			}
			r.proxy.Off()
			rep, err = r.load(t, 0)
			if err != nil || len(rep.Failed) > 0 {
				t.Fatalf("load after the faults: %v %v", err, rep.Failed)
			}
			got := r.exactlyOnce(t, r.w.DB())
			line := fmt.Sprintf("%-27s %d faults in %3d requests; faulty load: %2d of %d records files in, stopped %-17s next load: %2d files; lost %d, duplicated %d",
				c.name, faults, requests, first.files, len(r.records), stopped+";", rep.Files, got.lost, got.duplicated)
			summary = append(summary, line)
			t.Log(line)
		})
	}
	t.Logf("summary (%d scenarios):\n%s", len(summary), strings.Join(summary, "\n"))
}

// stoppedClean checks a load that a fault stopped: a Transient error (with
// reason and words when given), nothing failed, and nothing in the ledger
// but loaded objects, none of them the one the fault hit.
func (r *faultRig) stoppedClean(t *testing.T, rep *loader.Report, err error, key, reason, says string) {
	t.Helper()
	if rep != nil && len(rep.Failed) > 0 {
		t.Fatalf("%d objects blamed: %v", len(rep.Failed), rep.Failed)
	}
	if warehouse.ClassOf(err) != warehouse.Transient {
		t.Fatalf("load stopped with a %s error, want transient: %v", warehouse.ClassOf(err), err)
	}
	if got, _ := warehouse.Explain(err); reason != "" && got != reason {
		t.Fatalf("reason %q, want %q: %v", got, reason, err)
	}
	if !strings.Contains(err.Error(), says) {
		t.Fatalf("error does not say %q: %v", says, err)
	}
	byStatus, aboutKey := ledger(t, r.w.DB(), key)
	onlyLoaded(t, r.w.DB())
	if key != "" && aboutKey != 0 {
		t.Fatalf("%s, which the fault hit, has %d ledger rows", key, aboutKey)
	}
	if key == "" && byStatus["loaded"] != 0 {
		t.Fatalf("a load that could not list recorded %d objects", byStatus["loaded"])
	}
}
