package conformance

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/loader"
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
