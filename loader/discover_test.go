package loader

import (
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

func TestClassify(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		key       string
		kind      Kind
		org, sync string
		run       string
		batchType string
		batchNum  *int64
		fact      string
	}{
		{"sync_tracking_datasets/1/2/3/records_updated.0.parquet", KindRecords, "1", "2", "3", "records_updated", n(0), ""},
		{"sync_tracking_datasets/1/2/3/records_inserted.17.parquet", KindRecords, "1", "2", "3", "records_inserted", n(17), ""},
		{"sync_tracking_datasets/1/2/3/records_updated.parquet", KindRecords, "1", "2", "3", "records_updated", nil, ""},
		{"sync_tracking_datasets/1/sync-a/3/metadata.json", KindMetadata, "1", "sync-a", "3", "", nil, ""},
		{"sync_tracking_datasets/1/2/3/_SUCCESS", KindIgnored, "", "", "", "", nil, ""},
		{"sync_tracking_datasets/1/2/3/notes.txt", KindIgnored, "", "", "", "", nil, ""},
		{"sync_tracking_datasets/1/2/3/.records_updated.0.parquet.tmp", KindIgnored, "", "", "", "", nil, ""},
		{"sync_tracking_datasets/1/2/3/_temporary/x.parquet", KindIgnored, "", "", "", "", nil, ""},
		{"sync_tracking_datasets/1/2/records_updated.0.parquet", KindIgnored, "", "", "", "", nil, ""},
		{"sync_tracking_datasets/1//3/records_updated.0.parquet", KindIgnored, "", "", "", "", nil, ""},
		{"sync_tracking_datasets/1/2/3/metadata.json.tmp", KindIgnored, "", "", "", "", nil, ""},
		{"metadata/1/source_objects.parquet", KindFact, "1", "", "", "", nil, "source_objects"},
		{"metadata/1/destination_objects.parquet", KindFact, "1", "", "", "", nil, "destination_objects"},
		{"metadata/1/destinations.3.parquet", KindFact, "1", "", "", "", nil, "destinations"},
		{"metadata/1/destinations/part-0.parquet", KindFact, "1", "", "", "", nil, "destinations"},
		{"metadata/1/syncs.parquet", KindIgnored, "", "", "", "", nil, ""},
		{"metadata/1/destinations.json", KindIgnored, "", "", "", "", nil, ""},
		{"other/1/2/3/records_updated.0.parquet", KindIgnored, "", "", "", "", nil, ""},
	} {
		o := Classify(c.key)
		if o.Kind != c.kind || o.OrgID != c.org || o.SyncID != c.sync || o.RunID != c.run ||
			o.BatchType != c.batchType || o.FactTable != c.fact ||
			(o.BatchNumber == nil) != (c.batchNum == nil) || (o.BatchNumber != nil && *o.BatchNumber != *c.batchNum) {
			t.Errorf("Classify(%q) = %+v", c.key, o)
		}
	}
}

func TestPlanAgainstLedger(t *testing.T) {
	obj := func(key, etag string) Object {
		o := Classify(key)
		o.ETag, o.Size = etag, 10
		return o
	}
	recs := "sync_tracking_datasets/1/2/3/records_updated."
	l := NewLedger([]warehouse.LedgerEntry{
		{Key: recs + "0.parquet", ETag: "a", Status: warehouse.StatusLoaded, Attempts: 1},
		{Key: recs + "1.parquet", ETag: "a", Status: warehouse.StatusLoaded, Attempts: 1},
		{Key: recs + "2.parquet", ETag: "a", Status: warehouse.StatusFailed, Attempts: 3},
		{Key: "metadata/1/destinations.parquet", ETag: "a", Status: warehouse.StatusLoaded},
		{Key: "metadata/1/source_objects.parquet", ETag: "a", Status: warehouse.StatusLoaded},
		{Key: "sync_tracking_datasets/1/2/3/_SUCCESS", ETag: "a", Status: warehouse.StatusSkipped},
	})
	p := Build([]Object{
		obj(recs+"0.parquet", "a"), // up to date
		obj(recs+"1.parquet", "b"), // changed
		obj(recs+"2.parquet", "a"), // retry
		obj(recs+"3.parquet", "a"), // new
		obj("sync_tracking_datasets/1/2/3/metadata.json", "a"),
		obj("metadata/1/destinations.parquet", "a"),   // unchanged, but its table is rebuilt
		obj("metadata/2/destinations.parquet", "a"),   // new
		obj("metadata/1/source_objects.parquet", "a"), // unchanged table: not rebuilt
		obj("sync_tracking_datasets/1/2/3/_SUCCESS", "a"),
		obj("sync_tracking_datasets/1/2/3/x.txt", "a"),
	}, l)
	want := map[string]string{recs + "1.parquet": "changed/1", recs + "2.parquet": "retry/4", recs + "3.parquet": "new/1"}
	if len(p.Records) != len(want) {
		t.Fatalf("records: %+v", p.Records)
	}
	for _, w := range p.Records {
		if got := w.Reason + "/" + string(rune('0'+w.Attempts)); got != want[w.Key] {
			t.Errorf("%s: %s, want %s", w.Key, got, want[w.Key])
		}
		// Only a key the ledger has seen can have rows to replace.
		if seen := w.Reason != ReasonNew; w.Seen != seen {
			t.Errorf("%s: Seen %v, want %v", w.Key, w.Seen, seen)
		}
	}
	if len(p.Metadata) != 1 || len(p.Ignored) != 1 || p.Ignored[0].Key != "sync_tracking_datasets/1/2/3/x.txt" {
		t.Errorf("metadata %d, ignored %+v", len(p.Metadata), p.Ignored)
	}
	if len(p.Facts) != 1 || len(p.Facts["destinations"]) != 2 {
		t.Errorf("facts: want destinations rebuilt from both files, got %+v", p.Facts)
	}
	if p.UpToDate != 4 || p.Listed != 10 || p.Runs() != 1 {
		t.Errorf("up to date %d, listed %d, runs %d", p.UpToDate, p.Listed, p.Runs())
	}
}
