package loader

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// shuffled is a ledger whose scan comes out of key order (an engine
// collating otherwise); failAfter > 0 makes the scan fail after that many rows.
type shuffled struct {
	l         Ledger
	shuffle   bool
	failAfter int
	scans     int
}

func (s *shuffled) ScanLedger(ctx context.Context, prefix string, fn func(warehouse.LedgerVersion) error) error {
	s.scans++
	var vs []warehouse.LedgerVersion
	_ = s.l.ScanLedger(ctx, prefix, func(v warehouse.LedgerVersion) error { vs = append(vs, v); return nil })
	if s.shuffle {
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	}
	for i, v := range vs {
		if s.failAfter > 0 && i == s.failAfter {
			return errors.New("connection reset")
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// streamCase is a listing of objects in key order and a ledger that has
// versions of some of them, of keys no longer listed, and of keys sorting
// between listed ones.
func streamCase() ([]Object, Ledger) {
	var objs []Object
	l := Ledger{}
	for i := range 300 {
		o := Classify(fmt.Sprintf("sync_tracking_datasets/1/2/%d/records_updated.%d.parquet", i/10, i%10))
		o.ETag, o.Size = "e1", 10
		if i%50 == 7 {
			o = Classify(fmt.Sprintf("sync_tracking_datasets/1/2/%d/_SUCCESS", i/10))
			o.ETag = "e1"
		}
		objs = append(objs, o)
		switch i % 6 {
		case 0: // up to date
			l[o.Key] = []Version{{ETag: "e1", Status: warehouse.StatusLoaded, Attempts: 1}}
		case 1: // changed: an older version loaded, a failed one replaced
			l[o.Key] = []Version{{ETag: "e0", Status: warehouse.StatusReplaced, Attempts: 1}, {ETag: "e9", Status: warehouse.StatusLoaded, Attempts: 2}}
		case 2: // retry
			l[o.Key] = []Version{{ETag: "e1", Status: warehouse.StatusFailed, Attempts: 2}}
		case 3: // quarantined
			l[o.Key] = []Version{{ETag: "e1", Status: warehouse.StatusQuarantined, Attempts: 5}}
		case 4: // gone from the bucket, and a key between two listed ones
			l[o.Key+".gone"] = []Version{{ETag: "x", Status: warehouse.StatusLoaded, Attempts: 1}}
		case 5: // failed, then deleted from the bucket; one quarantined, one also loaded once
			l[o.Key+".bad"] = []Version{{ETag: "x", Status: warehouse.StatusFailed, Attempts: 2}}
			if i%30 == 5 {
				l[o.Key+".bad"] = []Version{{ETag: "w", Status: warehouse.StatusLoaded, Attempts: 1}, {ETag: "x", Status: warehouse.StatusQuarantined, Attempts: 5}}
			}
		}
	}
	for _, k := range []string{"metadata/1/destinations.parquet", "metadata/2/destinations.parquet"} {
		o := Classify(k)
		o.ETag = "e1"
		objs = append(objs, o)
	}
	l["metadata/1/destinations.parquet"] = []Version{{ETag: "e1", Status: warehouse.StatusLoaded, Attempts: 1}}
	l["metadata/0/gone.parquet"] = []Version{{ETag: "e1", Status: warehouse.StatusLoaded, Attempts: 1}}
	l["metadata/9/bad.parquet"] = []Version{{ETag: "e1", Status: warehouse.StatusFailed, Attempts: 1}} // after the last listed
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	return objs, l
}

func listingsOf(objs []Object, prefixes ...string) []Listing {
	var out []Listing
	for _, p := range prefixes {
		out = append(out, Listing{Prefix: p, List: func(_ context.Context, fn func(Object) error) error {
			for _, o := range objs {
				if len(o.Key) >= len(p) && o.Key[:len(p)] == p {
					if err := fn(o); err != nil {
						return err
					}
				}
			}
			return nil
		}})
	}
	return out
}

// The merged plan is the plan made against the whole ledger in memory, and
// it says nothing was out of order; an out-of-order scan still plans the
// same, the old way, and says so.
func TestPlanStreamIsTheWholeLedgerPlan(t *testing.T) {
	ctx := context.Background()
	objs, l := streamCase()
	want := Build(objs, l)
	if len(want.Records) == 0 || want.UpToDate == 0 || want.Quarantined == 0 || len(want.Ignored) == 0 || len(want.Facts) == 0 {
		t.Fatalf("the case plans too little: %+v", want)
	}
	// Gone: the failed and quarantined versions of keys not listed.
	listed := map[string]bool{}
	for _, o := range objs {
		listed[o.Key] = true
	}
	for k, vs := range l {
		for _, v := range vs {
			if !listed[k] && (v.Status == warehouse.StatusFailed || v.Status == warehouse.StatusQuarantined) {
				want.Gone = append(want.Gone, warehouse.LedgerVersion{Key: k, ETag: v.ETag, Status: v.Status, Attempts: v.Attempts})
			}
		}
	}
	sort.Slice(want.Gone, func(i, j int) bool { return want.Gone[i].Key < want.Gone[j].Key })
	if len(want.Gone) < 50 {
		t.Fatalf("the case has %d gone failures", len(want.Gone))
	}
	for _, shuffle := range []bool{false, true} {
		src := &shuffled{l: l, shuffle: shuffle}
		got, err := PlanStream(ctx, src, listingsOf(objs, RunsPrefix, FactsPrefix))
		if err != nil {
			t.Fatal(err)
		}
		if got.Unordered != shuffle {
			t.Errorf("shuffled %v: Unordered %v", shuffle, got.Unordered)
		}
		got.Unordered = false
		if !reflect.DeepEqual(got, want) {
			t.Errorf("shuffled %v: plan\n got  %+v\n want %+v", shuffle, got, want)
		}
	}
}

// A listing out of key order cannot be merged either.
func TestPlanStreamListingOutOfOrder(t *testing.T) {
	objs, l := streamCase()
	want := Build(objs, l)
	objs[3], objs[40] = objs[40], objs[3]
	got, err := PlanStream(context.Background(), &shuffled{l: l}, listingsOf(objs, RunsPrefix, FactsPrefix))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Unordered || len(got.Records) != len(want.Records) || got.UpToDate != want.UpToDate {
		t.Fatalf("unordered %v, %d records (want %d), %d up to date (want %d)", got.Unordered,
			len(got.Records), len(want.Records), got.UpToDate, want.UpToDate)
	}
}

// A ledger read that fails part way fails the plan: the objects after it
// must never be planned as new.
func TestPlanStreamScanFails(t *testing.T) {
	objs, l := streamCase()
	_, err := PlanStream(context.Background(), &shuffled{l: l, failAfter: 20}, listingsOf(objs, RunsPrefix))
	if err == nil || err.Error() != "read ledger: connection reset" {
		t.Fatalf("err = %v, want the scan's error", err)
	}
}
