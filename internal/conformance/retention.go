package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The retention steps. Every file the generator wrote has its batches on
// gen.DefaultStart's day (runs six hours apart, two per sync); the steps add
// one file generated three days later. Retention of 2 days at noon of that
// later day keeps it and that day's eve; everything else is older.
var (
	laterStart   = gen.DefaultStart.AddDate(0, 0, 3)
	retentionNow = time.Date(laterStart.Year(), laterStart.Month(), laterStart.Day(), 12, 0, 0, 0, time.UTC)
)

const retentionDays = 2

// loadRetained loads with retention at retentionNow. The retention pass
// runs in a second load, after Repair: an emulator's timestamp gaps would
// otherwise date rows decades early, and the pass would rightly take them.
func (s *scenario) loadRetained(t *testing.T, expiring []string) {
	t.Helper()
	s.load(t)
	loaded := s.rep
	if s.h.Repair != nil && s.h.NoSQL == "" {
		s.h.Repair(t, s.wh, s.b)
	}
	if s.h.Retention != nil {
		s.h.Retention(t, s.wh, expiring)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o := loader.Options{RetentionDays: retentionDays, Now: func() time.Time { return retentionNow }}
	rep, err := loader.New(s.b.Bucket, s.b.Root, s.wh, o).Load(ctx)
	if rep == nil {
		rep = &loader.Report{}
	}
	rep.Files, rep.Rows, rep.Failed = loaded.Files, loaded.Rows, append(loaded.Failed, rep.Failed...)
	if s.err == nil {
		s.err = err
	}
	s.rep = rep
	t.Logf("%s: retention: %d rows deleted, %d files expired, err %v", s.h.Name, rep.Expired.Rows, rep.Expired.Files, err)
}

// expireOld adds a file three days newer, then loads with retention: every
// records file loaded before expires, its rows gone; the new file stays.
func expireOld(t *testing.T, s *scenario) {
	// The empty object goes: its failures would count twice a step here.
	// Its ledger row stays, marked deleted: no failure to report any more.
	if err := s.b.Delete(context.Background(), s.k.empty); err != nil {
		t.Fatalf("delete %s: %v", s.k.empty, err)
	}
	s.want[s.k.empty][0].Status = warehouse.StatusDeleted
	s.k.later = strings.Replace(s.k.good, "records_updated.96", "records_updated.95", 1)
	o := s.put(t, s.k.later, laterFile(t, s.newestFile(t)))
	var expiring []string
	s.expiredRows = 0
	for _, k := range sortedKeys(s.want) {
		if v, ok := s.want.current(k); ok && strings.HasPrefix(k, loader.RunsPrefix) && strings.HasSuffix(k, ".parquet") {
			for i := range s.want[k] {
				if s.want[k][i].Status == warehouse.StatusLoaded {
					s.want[k][i].Status = warehouse.StatusExpired
				}
			}
			expiring = append(expiring, k)
			s.expiredRows += v.Rows
		}
	}
	s.expiring = expiring
	s.want[s.k.later] = []version{loaded(o, 1, s.rowsOf(t, s.k.later))}
	s.loadRetained(t, expiring)
}

func oldExpiredNewKept(t testing.TB, s *scenario) {
	s.noFailures(t)
	if s.rep.Files != 1 {
		t.Errorf("loaded %d files, want the later one alone", s.rep.Files)
	}
	if got, want := s.rep.Expired, (warehouse.Expired{Rows: s.expiredRows, Files: int64(len(s.expiring))}); got != want {
		t.Errorf("retention did %+v, want %+v", got, want)
	}
}

// reloadRetained loads again: the expired files are still in the bucket
// and none loads.
func reloadRetained(t *testing.T, s *scenario) {
	s.loadRetained(t, nil)
}

func nothingAgain(t testing.TB, s *scenario) {
	s.noFailures(t)
	if s.rep.Files != 0 || s.rep.Expired != (warehouse.Expired{}) {
		t.Errorf("a reload after retention loaded %d files and expired %+v, want nothing", s.rep.Files, s.rep.Expired)
	}
}

// laterFile is key's bytes in the same bucket generated three days later.
func laterFile(t *testing.T, key string) []byte {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	o := bucketOptions()
	o.Start = laterStart
	if _, err := gen.Generate(context.Background(), b, o); err != nil {
		t.Fatalf("generate: %v", err)
	}
	data, err := b.ReadAll(context.Background(), key)
	if err != nil {
		t.Fatalf("later bucket lacks %s: %v", key, err)
	}
	return data
}
