package conformance

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// steps is the suite, in order. Each act states by hand, in s.want, the
// ledger its load must leave.
func steps(t *testing.T, s *scenario) []step {
	ledgerCheck := check{"Ledger", func(t testing.TB, s *scenario) { s.checkLedger(t) }}
	rowsCheck := check{"RowsPerFile", func(t testing.TB, s *scenario) { s.checkRows(t) }}
	countsCheck := check{"CountsMatchRows", func(t testing.TB, s *scenario) { s.checkCounts(t) }}
	return []step{
		{"FirstLoad", firstLoad, []check{{"LoadsEveryObject", loadsEveryObject}, ledgerCheck, rowsCheck, countsCheck}},
		{"ReloadLoadsNothing", reload, []check{{"NothingLoaded", nothingLoaded}, ledgerCheck, rowsCheck, countsCheck}},
		{"LateFileInOldRun", lateFile, []check{{"LoadsJustThatFile", loadsOne}, ledgerCheck, rowsCheck, countsCheck}},
		{"ChangedObjectReplacesRows", changeObject, []check{{"LoadsJustThatFile", loadsOne}, {"OldRowsGone", oldRowsGone}, ledgerCheck, rowsCheck, countsCheck}},
		{"BadObjects", addBadObjects, []check{{"TruncatedFailsAloneNamed", failsAlone}, {"ZeroByteFails", zeroByteFails}, {"DataErrors", dataErrors}, ledgerCheck, rowsCheck, countsCheck}},
		{"FailedObjectsRetried", retry, []check{{"RetriedAndCounted", retriedAndCounted}, {"DataErrors", dataErrors}, ledgerCheck, rowsCheck, countsCheck}},
		{"FixedObjectLoads", fixTruncated, []check{{"LoadsOnceFixed", loadsOnceFixed}, ledgerCheck, rowsCheck, countsCheck}},
		{"ViewsAfterLoad", nil, []check{{"Present", viewsPresent}, {"RowCounts", viewRowCounts}, {"NoneUnbuilt", noneUnbuilt}}},
		{"TemplatesMatchDuckDB", prepareAnswers, templateChecks(t, s)},
		{"RetentionExpiresOldFiles", expireOld, []check{{"OldExpiredNewKept", oldExpiredNewKept}, ledgerCheck, rowsCheck}},
		{"ExpiredFilesNotReloaded", reloadRetained, []check{{"NothingLoaded", nothingAgain}, ledgerCheck, rowsCheck}},
		{"BadFactVersionKeepsRows", badFactVersion, []check{{"FailsAlone", badFactFailsAlone}, {"RowsKept", factRowsKept}, ledgerCheck}},
		{"DeletedFactFile", deleteNewFact, []check{{"Reported", deletedFactReported}, {"RowsGone", deletedFactRowsGone}, {"RowSaysWhen", deletedRowSaysWhen}, ledgerCheck}},
	}
}

func firstLoad(t *testing.T, s *scenario) {
	for _, o := range s.objects(t) {
		if strings.HasSuffix(o.Key, "/metadata.json") {
			s.want[o.Key] = []version{loaded(o, 1, 1)} // one sync_runs row
		} else {
			s.want[o.Key] = []version{loaded(o, 1, s.rowsOf(t, o.Key))} // records and fact files
		}
	}
	s.load(t)
}

func loadsEveryObject(t testing.TB, s *scenario) {
	s.noFailures(t)
	if s.rep.Files != len(s.want) {
		t.Errorf("loaded %d objects, the bucket holds %d", s.rep.Files, len(s.want))
	}
}

func reload(t *testing.T, s *scenario) { s.load(t) }

func nothingLoaded(t testing.TB, s *scenario) {
	s.noFailures(t)
	r := s.rep
	if r.Files != 0 || r.Rows != 0 || r.Listed != len(s.want) || r.UpToDate != r.Listed {
		t.Errorf("a reload with nothing new did work: %d files, %d rows, %d of %d listed up to date (the bucket holds %d)",
			r.Files, r.Rows, r.UpToDate, r.Listed, len(s.want))
	}
}

// lateFile writes a new batch into the oldest run folder, as a run that
// wrote one more file after it was loaded: a copy of its first file.
func lateFile(t *testing.T, s *scenario) {
	o := s.put(t, s.k.late, s.read(t, s.k.lateSrc))
	s.last = o.Key
	s.want[o.Key] = []version{loaded(o, 1, s.rowsOf(t, o.Key))}
	s.load(t)
}

// loadsOne checks that the last load loaded one object, the last one the
// step wrote, with its rows.
func loadsOne(t testing.TB, s *scenario) {
	s.noFailures(t)
	key := s.last
	want, _ := s.want.current(key)
	if s.rep.Files != 1 || s.rep.Rows != want.Rows {
		t.Errorf("loaded %d files and %d rows, want 1 file (%s) with %d rows", s.rep.Files, s.rep.Rows, key, want.Rows)
	}
}

// changeObject rewrites a records file of another run with fewer rows: a
// new version (etag) whose rows replace the old version's.
func changeObject(t *testing.T, s *scenario) {
	key := s.k.changed
	old, ok := s.want.current(key)
	if !ok {
		t.Fatalf("%s was never loaded", key)
	}
	o := s.put(t, key, regenerated(t, key))
	s.last = key
	if o.ETag == old.ETag {
		t.Fatalf("premise: rewriting %s kept its etag %s", key, o.ETag)
	}
	if n := s.rowsOf(t, key); n != changedRows {
		t.Fatalf("premise: the new version of %s has %d rows, want %d", key, n, changedRows)
	}
	old.Status = warehouse.StatusReplaced
	s.want[key] = []version{old, loaded(o, 1, changedRows)}
	s.load(t)
}

func oldRowsGone(t testing.TB, s *scenario) {
	key := s.k.changed
	if n := s.rows(t)[key]; n != changedRows {
		t.Errorf("sync_records holds %d rows from %s, its new version %d: old rows kept or new ones missing", n, key, changedRows)
	}
}

// addBadObjects writes three new objects into the newest run: a good file, a
// truncated copy of it, and an empty object.
func addBadObjects(t *testing.T, s *scenario) {
	data := s.read(t, s.newestFile(t))
	if _, err := parquetRows(data[:len(data)/2]); err == nil {
		t.Fatal("premise: the truncated copy still reads as parquet")
	}
	g := s.put(t, s.k.good, data)
	tr := s.put(t, s.k.truncated, data[:len(data)/2])
	e := s.put(t, s.k.empty, nil)
	s.want[g.Key] = []version{loaded(g, 1, s.rowsOf(t, g.Key))}
	s.want[tr.Key] = []version{failed(tr, 1)}
	s.want[e.Key] = []version{failed(e, 1)}
	s.load(t)
}

func failsAlone(t testing.TB, s *scenario) {
	s.failedExactly(t, s.k.truncated, s.k.empty)
	if s.rep.Files != 1 {
		t.Errorf("loaded %d objects, want 1: %s, loaded with the bad ones", s.rep.Files, s.k.good)
	}
}

func zeroByteFails(t testing.TB, s *scenario) {
	for _, f := range s.rep.Failed {
		if f.Key == s.k.empty {
			return
		}
	}
	t.Errorf("the empty object %s did not fail; failures: %v", s.k.empty, s.rep.Failed)
}

// dataErrors: only data errors are ever blamed on objects (DESIGN.md), so
// each failure of the last load must carry that class.
func dataErrors(t testing.TB, s *scenario) {
	if len(s.rep.Failed) == 0 {
		t.Fatal("no object failed")
	}
	for _, f := range s.rep.Failed {
		if c := warehouse.ClassOf(f.Err); c != warehouse.Data {
			t.Errorf("%s failed with a %s error, want a data error: %v", f.Key, c, f.Err)
		}
	}
}

func retry(t *testing.T, s *scenario) {
	s.want[s.k.truncated][0].Attempts = 2
	s.want[s.k.empty][0].Attempts = 2
	s.load(t)
}

func retriedAndCounted(t testing.TB, s *scenario) {
	s.failedExactly(t, s.k.truncated, s.k.empty)
	if s.rep.Files != 0 {
		t.Errorf("a retry of two bad objects loaded %d objects", s.rep.Files)
	}
}

// fixTruncated writes the whole file over the truncated one: a new version,
// which loads; the failed version is replaced, its attempts kept.
func fixTruncated(t *testing.T, s *scenario) {
	key := s.k.truncated
	o := s.put(t, key, s.read(t, s.k.good))
	bad := s.want[key][0]
	bad.Status = warehouse.StatusReplaced
	s.want[key] = []version{bad, loaded(o, 1, s.rowsOf(t, key))}
	s.want[s.k.empty][0].Attempts = 3
	s.load(t)
}

func loadsOnceFixed(t testing.TB, s *scenario) {
	s.failedExactly(t, s.k.empty)
	want, _ := s.want.current(s.k.truncated)
	if s.rep.Files != 1 || s.rep.Rows != want.Rows {
		t.Errorf("loaded %d files and %d rows, want the fixed %s with %d rows", s.rep.Files, s.rep.Rows, s.k.truncated, want.Rows)
	}
}

// noFailures checks the last load ended well with no object failed.
func (s *scenario) noFailures(t testing.TB) {
	t.Helper()
	s.failedExactly(t)
}

// failedExactly checks the last load ended well (an object's failure is no
// load's error) and failed exactly keys.
func (s *scenario) failedExactly(t testing.TB, keys ...string) {
	t.Helper()
	if s.err != nil {
		t.Fatalf("load: %v (class %s)", s.err, warehouse.ClassOf(s.err))
	}
	var got []string
	for _, f := range s.rep.Failed {
		got = append(got, f.Key)
	}
	sort.Strings(got)
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, want) {
		t.Errorf("failed objects %v, want %v; errors: %v", got, want, s.rep.Failed)
	}
}

// checkRows compares the rows of sync_records per _file with the ledger's:
// every loaded records file its parquet row count, no other file any.
func (s *scenario) checkRows(t testing.TB) {
	t.Helper()
	got, want := s.rows(t), s.want.records()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		for _, k := range sortedKeys(union(got, want)) {
			if got[k] != want[k] {
				t.Errorf("sync_records from %q: %d rows, want %d", k, got[k], want[k])
			}
		}
	}
}

func (s *scenario) rows(t testing.TB) map[string]int64 {
	t.Helper()
	if s.h.Rows != nil {
		return s.h.Rows(t, s.wh)
	}
	return CountFiles(t, s.wh)
}

// newestFile is the first records file of the newest run folder.
func (s *scenario) newestFile(t *testing.T) string {
	dir := s.k.good[:strings.LastIndex(s.k.good, "/")+1]
	for _, k := range sortedKeys(s.want) {
		if strings.HasPrefix(k, dir) && strings.HasSuffix(k, ".parquet") {
			return k
		}
	}
	t.Fatalf("no records file in %s", dir)
	return ""
}

func union[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
