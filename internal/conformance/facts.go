package conformance

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
)

// The fact step: a fact file loaded before is rewritten half-written, as a
// vendor's refresh caught mid-upload, while another org's file of the same
// table is new, and a second file of the same org gives one of its ids
// again. The table is rebuilt for the new files; the bad version fails, and
// the rows of the version loaded before stay but for that id, the newer
// file's.

// newFactOrg is the org whose destinations file the step adds.
const newFactOrg = "9999"

// badFactVersion overwrites the destinations file with its first half and
// adds a copy of it under another org.
func badFactVersion(t *testing.T, s *scenario) {
	var key string
	for _, o := range s.list(t, loader.FactsPrefix) {
		if strings.HasSuffix(o.Key, "/destinations.parquet") {
			key = o.Key
			break
		}
	}
	old, ok := s.want.current(key)
	if key == "" || !ok {
		t.Fatalf("premise: no loaded destinations file (%q)", key)
	}
	data := s.read(t, key)
	if _, err := parquetRows(data[:len(data)/2]); err == nil {
		t.Fatal("premise: the half-written fact file still reads as parquet")
	}
	rows, err := parquet.Read[gen.NamedObject](bytes.NewReader(data), int64(len(data)))
	if err != nil || len(rows) < 2 {
		t.Fatalf("premise: %s has %d destinations (%v), want 2 or more", key, len(rows), err)
	}
	again := rows[:1]
	again[0].Name = "renamed"
	var buf bytes.Buffer
	if err := parquet.Write(&buf, again); err != nil {
		t.Fatal(err)
	}
	s.k.fact, s.k.newFact = key, loader.FactsPrefix+newFactOrg+"/destinations.parquet"
	s.k.factAgain = path.Dir(key) + "/destinations.1.parquet"
	n := s.put(t, s.k.newFact, data)
	a := s.put(t, s.k.factAgain, buf.Bytes())
	bad := s.put(t, key, data[:len(data)/2])
	s.want[key] = []version{old, failed(bad, 1)}
	s.want[n.Key] = []version{loaded(n, 1, s.rowsOf(t, n.Key))}
	s.want[a.Key] = []version{loaded(a, 1, 1)}
	s.load(t)
}

func badFactFailsAlone(t testing.TB, s *scenario) {
	s.failedExactly(t, s.k.fact)
	if s.rep.Files != 2 {
		t.Errorf("loaded %d objects, want 2: %s and %s", s.rep.Files, s.k.newFact, s.k.factAgain)
	}
}

// factRowsKept: the destinations table holds the rows of the version of
// the bad file loaded before but the one given again, and those of the
// new files.
func factRowsKept(t testing.TB, s *scenario) {
	s.needSQL(t)
	d := s.wh.Dialect()
	file := d.Ident("_file")
	rs, err := query(s.wh, "SELECT "+file+", COUNT(*) FROM "+d.Table(s.wh.Schema(), "destinations")+
		" WHERE "+file+" IS NOT NULL GROUP BY "+file)
	if err != nil {
		t.Fatalf("rows per fact file: %v", err)
	}
	got := map[string]int64{}
	for _, r := range rs {
		n, err := toInt(r[1])
		if err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprint(r[0])] = n
	}
	want := map[string]int64{}
	for _, k := range []string{s.k.fact, s.k.newFact, s.k.factAgain} {
		v, _ := s.want.current(k)
		want[k] = v.Rows
	}
	want[s.k.fact]-- // its row of the id given again is the newer file's
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("destinations rows per file: %v, want %v", got, want)
	}
}

// deleteNewFact deletes the fact file of the new org, loaded by the step
// before: the load rebuilds destinations without it (the half-written file
// fails again beside it) and marks its ledger row deleted. The row keeps
// the size and rows the version loaded (found by a user audit: they were
// written over with zeros, and loaded_at with NULL, on every engine).
func deleteNewFact(t *testing.T, s *scenario) {
	if err := s.b.Delete(context.Background(), s.k.newFact); err != nil {
		t.Fatalf("delete %s: %v", s.k.newFact, err)
	}
	for i, v := range s.want[s.k.newFact] {
		if v.Status == warehouse.StatusLoaded {
			s.want[s.k.newFact][i].Status = warehouse.StatusDeleted
		}
	}
	for i, v := range s.want[s.k.fact] {
		if v.Status == warehouse.StatusFailed {
			s.want[s.k.fact][i].Attempts++
		}
	}
	s.load(t)
}

func deletedFactReported(t testing.TB, s *scenario) {
	s.failedExactly(t, s.k.fact)
	if !slices.Equal(s.rep.DeletedFacts, []string{s.k.newFact}) {
		t.Errorf("deleted facts %v, want %s", s.rep.DeletedFacts, s.k.newFact)
	}
}

// deletedRowSaysWhen: the deleted row keeps when its version loaded, and
// its note says when the load found it gone and which table its rows left.
func deletedRowSaysWhen(t testing.TB, s *scenario) {
	rows, err := s.wh.Ledger(context.Background())
	if err != nil {
		t.Fatalf("ledger: %v", err)
	}
	n := 0
	for _, r := range rows {
		if r.Key != s.k.newFact {
			continue
		}
		n++
		if r.LoadedAt == nil || !r.RowsRemoved() || !strings.Contains(r.Error, "; gone by ") ||
			!strings.HasSuffix(r.Error, ": its rows left destinations") {
			t.Errorf("ledger row of %s: loaded at %v, %q: want when it loaded, and when it went and where from", r.Key, r.LoadedAt, r.Error)
		}
	}
	if n != 1 {
		t.Errorf("%d ledger rows of %s, want 1", n, s.k.newFact)
	}
}

func deletedFactRowsGone(t testing.TB, s *scenario) {
	s.needSQL(t)
	d := s.wh.Dialect()
	rs, err := query(s.wh, "SELECT COUNT(*) FROM "+d.Table(s.wh.Schema(), "destinations")+" WHERE "+d.Ident("_file")+" = "+d.String(s.k.newFact))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := toInt(rs[0][0]); err != nil || n != 0 {
		t.Errorf("destinations has %d rows of %s, deleted from the bucket (%v)", n, s.k.newFact, err)
	}
}
