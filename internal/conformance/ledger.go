package conformance

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// ledger is the load_ledger a step must leave: per key, every version. The
// steps write it by hand; it is never read back from the warehouse.
type ledger map[string][]version

// version is one expected ledger row.
type version struct {
	ETag     string
	Size     int64
	Status   string
	Attempts int
	Rows     int64
}

func (v version) String() string {
	return fmt.Sprintf("{etag %s, %d bytes, %s, attempt %d, %d rows}", v.ETag, v.Size, v.Status, v.Attempts, v.Rows)
}

// loaded is the ledger row of o loaded on its attempt-th try with rows rows.
func loaded(o object, attempts int, rows int64) version {
	return version{ETag: o.ETag, Size: o.Size, Status: warehouse.StatusLoaded, Attempts: attempts, Rows: rows}
}

// failed is the ledger row of o failed attempts times.
func failed(o object, attempts int) version {
	return version{ETag: o.ETag, Size: o.Size, Status: warehouse.StatusFailed, Attempts: attempts}
}

// current is key's loaded version, if it has one.
func (l ledger) current(key string) (version, bool) {
	for _, v := range l[key] {
		if v.Status == warehouse.StatusLoaded {
			return v, true
		}
	}
	return version{}, false
}

// records are the rows each records file must have put in sync_records: its
// loaded version's, per key, and nothing for any other file.
func (l ledger) records() map[string]int64 {
	out := map[string]int64{}
	for k := range l {
		if v, ok := l.current(k); ok && strings.HasSuffix(k, ".parquet") && strings.HasPrefix(k, loader.RunsPrefix) {
			out[k] = v.Rows
		}
	}
	return out
}

// checkLedger compares the warehouse's ledger with the expected one, row
// for row; a failed row must say why.
func (s *scenario) checkLedger(t testing.TB) {
	t.Helper()
	rows, err := s.wh.Ledger(context.Background())
	if err != nil {
		t.Fatalf("ledger: %v", err)
	}
	got := ledger{}
	for _, r := range rows {
		got[r.Key] = append(got[r.Key], version{ETag: r.ETag, Size: r.Size, Status: r.Status, Attempts: r.Attempts, Rows: r.Rows})
		if (r.Status == warehouse.StatusFailed || r.Status == warehouse.StatusQuarantined) && r.Error == "" {
			t.Errorf("%s: %s ledger row without an error", r.Key, r.Status)
		}
	}
	s.checkScan(t, rows)
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range s.want {
		keys[k] = true
	}
	bad := 0
	for _, k := range sortedKeys(keys) {
		g, w := sortVersions(got[k]), sortVersions(s.want[k])
		if fmt.Sprint(g) != fmt.Sprint(w) {
			if bad++; bad <= 10 {
				t.Errorf("ledger of %s:\n got  %v\n want %v", k, g, w)
			}
		}
	}
	if bad > 10 {
		t.Errorf("... and %d more keys differ", bad-10)
	}
}

func sortVersions(vs []version) []version {
	out := append([]version(nil), vs...)
	sort.Slice(out, func(i, j int) bool { return out[i].ETag < out[j].ETag })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkScan reads the ledger by prefix, as planning does: each prefix's rows
// are the ledger's rows under it, in byte order of key.
func (s *scenario) checkScan(t testing.TB, rows []warehouse.LedgerEntry) {
	t.Helper()
	prefixes := []string{"", loader.RunsPrefix, loader.FactsPrefix, "no/such/prefix/"}
	for _, r := range rows { // a run folder, and a key as its own prefix
		if c := loader.Classify(r.Key); c.RunID != "" {
			prefixes = append(prefixes, r.Key[:strings.LastIndexByte(r.Key, '/')+1], r.Key)
			break
		}
	}
	for _, p := range prefixes {
		var want []string
		for _, r := range rows {
			if strings.HasPrefix(r.Key, p) {
				want = append(want, r.Key+" "+r.ETag+" "+r.Status+" "+fmt.Sprint(r.Attempts))
			}
		}
		sort.Strings(want)
		var got []string
		prev := ""
		err := s.wh.ScanLedger(context.Background(), p, func(v warehouse.LedgerVersion) error {
			if v.Key < prev {
				t.Errorf("ScanLedger(%q): %q after %q: not in key order", p, v.Key, prev)
			}
			prev = v.Key
			got = append(got, v.Key+" "+v.ETag+" "+v.Status+" "+fmt.Sprint(v.Attempts))
			return nil
		})
		if err != nil {
			t.Fatalf("ScanLedger(%q): %v", p, err)
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ScanLedger(%q): %d rows, want the ledger's %d under it:\n got  %v\n want %v", p, len(got), len(want), got, want)
		}
	}
}

// CheckAttemptsKept records an attempt count past what load_ledger's
// INTEGER holds, and one that fits, and reads them back: the first kept at
// the INTEGER's largest value (LedgerEntry.StoredAttempts), not wrapped to
// a negative count on its way to the engine.
func CheckAttemptsKept(t *testing.T, w warehouse.Warehouse) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	es := []warehouse.LedgerEntry{
		{Key: "big", Status: warehouse.StatusFailed, Error: "e", Attempts: 1<<31 + 5, FirstSeenAt: at},
		{Key: "small", Status: warehouse.StatusFailed, Error: "e", Attempts: 3, FirstSeenAt: at},
	}
	if err := w.Record(ctx, es); err != nil {
		t.Fatal(err)
	}
	got, err := w.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"big": 1<<31 - 1, "small": 3}
	for _, e := range got {
		if e.Attempts != want[e.Key] {
			t.Errorf("%s: attempts %d, want %d", e.Key, e.Attempts, want[e.Key])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d ledger rows, want %d", len(got), len(want))
	}
}
