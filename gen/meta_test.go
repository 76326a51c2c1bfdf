package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/memblob"
)

// destIDs returns the destination and destination object ids of a parsed
// metadata.json, whatever its key style.
func destIDs(meta map[string]any) (dest, dobj string) {
	if d, ok := meta["destination"].(map[string]any); ok {
		return d["id"].(string), d["object_id"].(string)
	}
	for _, k := range [][2]string{{"destination_id", "destination_object_id"}, {"destinationId", "destinationObjectId"}} {
		if d, ok := meta[k[0]].(string); ok {
			return d, meta[k[1]].(string)
		}
	}
	return "", ""
}

func TestMetadataAndFacts(t *testing.T) {
	g := generate(t, DefaultOptions())
	facts := map[string]map[string]bool{} // "ORG/table" -> ids
	for _, f := range g.m.Files {
		if f.Kind != KindFact {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(f.Key, ".parquet"), "/")
		p := readParquet(t, g.objects[f.Key])
		if len(p.rows) != f.Rows || f.Rows == 0 {
			t.Fatalf("%s: %d rows, manifest %d", f.Key, len(p.rows), f.Rows)
		}
		want := []string{"id", "type", "name"}
		if parts[2] == FactSourceObjects {
			want = append(want, "model_id", "business_object_id", "filter_segment_id", "cohort_id")
		}
		for _, c := range want {
			if !p.has(c) {
				t.Errorf("%s: no column %s", f.Key, c)
			}
		}
		ids := map[string]bool{}
		for _, r := range p.rows {
			ids[r["id"].(string)] = true
		}
		facts[parts[1]+"/"+parts[2]] = ids
	}
	if len(facts) != 6 {
		t.Fatalf("want 3 fact tables for each of 2 orgs, got %d", len(facts))
	}

	var listed, unlisted int
	hostile, grown := false, false
	schemas := map[string]int{} // sync -> widest schema seen
	syncIDs := map[string]bool{}
	for _, f := range g.m.Files {
		if f.Kind != KindMetadata {
			continue
		}
		parts := strings.Split(f.Key, "/")
		org, sync := parts[1], parts[2]
		syncIDs[sync] = true
		var meta map[string]any
		if err := json.Unmarshal(g.objects[f.Key], &meta); err != nil {
			t.Fatal(err)
		}
		dest, dobj := destIDs(meta)
		if facts[org+"/"+FactDestinations][dest] && facts[org+"/"+FactDestinationObjects][dobj] {
			listed++
		} else {
			unlisted++
		}
		schema := schemaOf(meta)
		for name, typ := range schema {
			switch typ {
			case "string", "number", "boolean", "array", "object":
			default:
				t.Errorf("%s: field %q has type %v", f.Key, name, typ)
			}
		}
		if _, ok := schema["Email"]; ok {
			hostile = true
			for _, name := range []string{"first name", "email", "status", "identifier", `x"); DROP TABLE sync_records; --`,
				"naïve_ünïcode", "select", "1st_value", "a/b", "tilde~key", "it's"} {
				if _, ok := schema[name]; !ok {
					t.Errorf("%s: hostile field %q missing", f.Key, name)
				}
			}
		}
		if prev, ok := schemas[sync]; ok && prev != len(schema) {
			grown = true
		}
		schemas[sync] = max(schemas[sync], len(schema))
	}
	if !hostile {
		t.Error("no sync with hostile field names")
	}
	if !grown {
		t.Error("no sync whose payload schema grows across runs")
	}
	if unlisted == 0 || listed < 4*unlisted {
		t.Errorf("runs with destinations listed in facts: %d, not listed: %d", listed, unlisted)
	}
	numeric := regexp.MustCompile(`^\d+$`)
	dashed := 0
	for id := range syncIDs {
		if !numeric.MatchString(id) {
			dashed++
			if !strings.Contains(id, "-") {
				t.Errorf("non-numeric sync id %q has no dash", id)
			}
		}
	}
	if dashed != 1 || len(syncIDs) != 6 {
		t.Errorf("sync ids %v: want 6 with exactly one non-numeric", syncIDs)
	}
}

func TestDeterministic(t *testing.T) {
	o := DefaultOptions()
	o.Seed = 42
	a := generate(t, o)
	o.Workers = 1 // a different schedule must not change any byte
	b := generate(t, o)
	if len(a.objects) != len(b.objects) {
		t.Fatalf("%d vs %d objects", len(a.objects), len(b.objects))
	}
	for key, data := range a.objects {
		if !bytes.Equal(data, b.objects[key]) {
			t.Fatalf("%s differs between two runs with the same seed", key)
		}
	}
	o.Seed = 43
	c := generate(t, o)
	same := 0
	for key, data := range c.objects {
		if bytes.Equal(data, a.objects[key]) {
			same++
		}
	}
	if same > len(c.objects)/2 {
		t.Errorf("seed 43 reproduces %d of %d objects of seed 42", same, len(c.objects))
	}
}

func TestOptionsDefaultsAndStart(t *testing.T) {
	start := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	g := generate(t, Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 2, FilesPerRun: 2, RowsPerFile: 10, Start: start})
	kinds := map[string]int{}
	for _, f := range g.m.Files {
		kinds[f.Kind]++
		if f.Kind == KindMetadata && kinds[f.Kind] == 1 {
			var meta map[string]any
			if err := json.Unmarshal(g.objects[f.Key], &meta); err != nil {
				t.Fatal(err)
			}
			if got := meta["started_at"]; got != start.Format(time.RFC3339) {
				t.Errorf("first run started_at %v, want %v", got, start)
			}
		}
		if f.Kind == KindRecords {
			p := readParquet(t, g.objects[f.Key])
			at := p.rows[0]["batch_started_at"].(int64)
			if ts := p.timestampType("batch_started_at"); ts.Unit.Value.String() == "MILLIS" {
				at *= 1000
			}
			if got := time.UnixMicro(at).UTC(); got.Before(start) || got.After(start.Add(24*time.Hour)) {
				t.Errorf("%s: batch started %v, runs start %v", f.Key, got, start)
			}
		}
	}
	if kinds[KindRecords] != 4 || kinds[KindMetadata] != 2 || kinds[KindFact] != 0 {
		t.Errorf("files by kind %v: want 4 records, 2 metadata, no facts (Facts off)", kinds)
	}
	if g.m.Rows != 40 {
		t.Errorf("rows %d, want 40", g.m.Rows)
	}
	if d := DefaultOptions(); !d.Facts || !d.Hostile || d.RowsPerFile != 200 || !d.Start.Equal(DefaultStart) {
		t.Errorf("DefaultOptions %+v", d)
	}
}

func TestGenerateCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := memblob.OpenBucket(nil)
	defer b.Close()
	if _, err := Generate(ctx, b, DefaultOptions()); err == nil {
		t.Fatal("Generate with a canceled context: want an error")
	}
}
