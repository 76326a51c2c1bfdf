package loader

import (
	"path"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClassify checks Classify against a reading of the key layout written
// here from the documented shapes, not from Classify's helpers:
// sync_tracking_datasets/ORG/SYNC/RUN/NAME for runs, metadata/ORG/TABLE... for
// facts, and nothing else.
func FuzzClassify(f *testing.F) {
	for _, k := range []string{
		"sync_tracking_datasets/1/2/3/records_updated.0.parquet",
		"sync_tracking_datasets/1/2/3/records_updated.parquet",
		"sync_tracking_datasets/1/2/3/metadata.json",
		"sync_tracking_datasets/1/../3/metadata.json",
		"sync_tracking_datasets/1/2/3/4/metadata.json",
		"sync_tracking_datasets/1/2/3/.records.0.parquet",
		"sync_tracking_datasets/1/2/3/records.9223372036854775808.parquet",
		"metadata/1/destination_objects.parquet",
		"metadata/1/destinations/part-0.parquet",
		"metadata/../destinations.parquet",
		"sync_tracking_datasets/Örg/sync 1/run\x00/records.1.parquet",
	} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		o := Classify(key)
		if o.Key != key {
			t.Fatalf("Key %q, want %q", o.Key, key)
		}
		for _, id := range []string{o.OrgID, o.SyncID, o.RunID} {
			if strings.Contains(id, "/") || id == "." || id == ".." {
				t.Fatalf("%q: id %q is not one path segment", key, id)
			}
		}
		want := readKey(key)
		if o.Kind != want.kind {
			t.Fatalf("%q: kind %v, want %v", key, o.Kind, want.kind)
		}
		switch o.Kind {
		case KindRecords, KindMetadata:
			name := "metadata.json"
			if o.Kind == KindRecords {
				if (o.BatchNumber != nil) != (want.digits != "") {
					t.Fatalf("%q: batch %q number %v, want the number %q", key, o.BatchType, o.BatchNumber != nil, want.digits)
				}
				name = o.BatchType + ".parquet"
				if o.BatchNumber != nil {
					name = o.BatchType + "." + want.digits + ".parquet"
					if n, err := strconv.ParseInt(want.digits, 10, 64); err != nil || n != *o.BatchNumber {
						t.Fatalf("%q: batch number %d, want %s", key, *o.BatchNumber, want.digits)
					}
				}
			}
			if back := RunsPrefix + o.OrgID + "/" + o.SyncID + "/" + o.RunID + "/" + name; back != key {
				t.Fatalf("%q: %+v rebuilds as %q", key, o, back)
			}
		case KindFact:
			if o.OrgID != want.org || o.FactTable != want.fact || o.SyncID != "" || o.RunID != "" {
				t.Fatalf("%q: org %q table %q, want %q %q", key, o.OrgID, o.FactTable, want.org, want.fact)
			}
		}
	})
}

// keyReading is what a key says by the documented layout.
type keyReading struct {
	kind      Kind
	org, fact string
	digits    string // a records file's batch number, as written
}

func readKey(key string) keyReading {
	if !utf8.ValidString(key) {
		return keyReading{kind: KindIgnored} // a key is text: no warehouse keeps other bytes
	}
	if rest, ok := strings.CutPrefix(key, "sync_tracking_datasets/"); ok {
		segs := strings.SplitN(rest, "/", 5)
		if len(segs) != 4 || !segments(segs) || unfinished(segs[3]) {
			return keyReading{kind: KindIgnored}
		}
		name := segs[3]
		if name == "metadata.json" {
			return keyReading{kind: KindMetadata}
		}
		stem, ok := strings.CutSuffix(name, ".parquet")
		if !ok {
			return keyReading{kind: KindIgnored}
		}
		// records_updated.12: the number is the decimal digits after the last
		// dot, when they fit an int64 and a type name comes before them.
		r := keyReading{kind: KindRecords}
		if i := strings.LastIndex(stem, "."); i > 0 && decimal(stem[i+1:]) {
			r.digits = stem[i+1:]
		}
		return r
	}
	rest, ok := strings.CutPrefix(key, "metadata/")
	segs := strings.Split(rest, "/")
	if !ok || len(segs) < 2 || len(segs) > 3 || !segments(segs) || unfinished(segs[len(segs)-1]) ||
		path.Ext(key) != ".parquet" {
		return keyReading{kind: KindIgnored}
	}
	r := keyReading{kind: KindIgnored}
	for _, table := range []string{"destinations", "source_objects", "destination_objects"} {
		if strings.HasPrefix(segs[1], table) && len(table) > len(r.fact) {
			r = keyReading{kind: KindFact, org: segs[0], fact: table}
		}
	}
	return r
}

// segments reports whether every path segment names something: not empty,
// not . or ..
func segments(segs []string) bool {
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return false
		}
	}
	return true
}

// unfinished reports the names writers give objects still being written, or
// markers: hidden (., _), .tmp/.temp/.crc/.txt, or .inprogress anywhere.
func unfinished(name string) bool {
	lower := strings.ToLower(name)
	switch path.Ext(lower) {
	case ".tmp", ".temp", ".crc", ".txt":
		return true
	}
	return name[0] == '.' || name[0] == '_' || strings.Contains(lower, ".inprogress")
}

// decimal reports a non-empty run of ASCII digits that fits an int64.
func decimal(s string) bool {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return false
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}
