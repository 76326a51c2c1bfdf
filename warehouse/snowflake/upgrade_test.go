package snowflake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// A schema set up before the counts tables: the next load creates them and
// fills them, in one transaction, for every file the ledger has loaded, then
// loads its new files with their counts; a later process finds them there
// and does not fill them again.
func TestCountsUpgrade(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 3)
	w := openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	load(t, b, w)
	before := f.FileRows("SYNC_RECORDS")
	if len(before) == 0 {
		t.Fatal("premise: the first load copied no rows")
	}
	f.DropTable("RUN_OUTCOME_COUNTS")
	f.DropTable("RUN_FINGERPRINT_COUNTS")
	late := "sync_tracking_datasets/org1/52275/run1/records_updated.7.parquet"
	if err := b.WriteAll(t.Context(), late, []byte("PAR1 late"), nil); err != nil {
		t.Fatal(err)
	}
	f.Reset()
	w = openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	if rep := load(t, b, w); rep.Files != 1 || len(rep.Failed) != 0 {
		t.Fatalf("load after the upgrade: %+v", rep)
	}
	got := f.FileRows("RUN_OUTCOME_COUNTS")
	if want := f.FileRows("SYNC_RECORDS"); fmt.Sprint(got) != fmt.Sprint(want) || len(want) != len(before)+1 {
		t.Errorf("counts per file %v, want sync_records' %v (the %d old files and %s)", got, want, len(before), late)
	}
	var fill string
	for _, tx := range transactions(f.Statements()) {
		if strings.Contains(tx, `INSERT INTO "SYNCTRACK"."RUN_OUTCOME_COUNTS"`) && !strings.Contains(tx, "COPY") {
			fill = tx
		}
	}
	if want := `BEGIN | DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS" WHERE TRUE | DELETE FROM "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" WHERE TRUE | ` +
		`INSERT INTO "SYNCTRACK"."RUN_OUTCOME_COUNTS" | INSERT INTO "SYNCTRACK"."RUN_FINGERPRINT_COUNTS" | COMMIT`; fill != want {
		t.Errorf("backfill transaction:\n%s\nwant:\n%s", fill, want)
	}

	f.Reset()
	late2 := "sync_tracking_datasets/org1/52275/run1/records_updated.8.parquet"
	if err := b.WriteAll(t.Context(), late2, []byte("PAR1 late"), nil); err != nil {
		t.Fatal(err)
	}
	w = openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	load(t, b, w)
	for _, s := range f.Statements() {
		if strings.HasPrefix(s, `DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS"`) && !strings.Contains(s, late2) {
			t.Errorf("counts filled again on a schema that has them: %s", firstLine(s))
		}
	}
}

// A counts fill Snowflake refuses with an error of its data range is about
// the schema, not the batch: the load stops as a config error and no file
// is failed (the loader would otherwise narrow and blame the batch).
func TestCountsFillFailureBlamesNoFile(t *testing.T) {
	f := sffake.New(t)
	b := testBucket(t, 3)
	w := openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	load(t, b, w)
	f.DropTable("RUN_OUTCOME_COUNTS")
	f.DropTable("RUN_FINGERPRINT_COUNTS")
	late := "sync_tracking_datasets/org1/52275/run1/records_updated.7.parquet"
	if err := b.WriteAll(t.Context(), late, []byte("PAR1 late"), nil); err != nil {
		t.Fatal(err)
	}
	f.Fail(sffake.Rule{Prefix: `DELETE FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS"`, Code: "100038", SQLState: "22018",
		Message: "Numeric value 'x' is not recognized", Times: -1})
	w = openFake(t, f, "&stage=ANALYTICS.SYNCTRACK.SYNC_LOGS")
	rep, err := loader.New(b, "", w, loader.Options{Now: clock}).Load(t.Context())
	if err == nil || warehouse.ClassOf(err) != warehouse.Config {
		t.Fatalf("load: %v (class %s), want a config error", err, warehouse.ClassOf(err))
	}
	if rep != nil && len(rep.Failed) != 0 {
		t.Errorf("files blamed for the counts fill: %+v", rep.Failed)
	}
	if row := f.LedgerFor(late); len(row) > 4 && row[4] == "failed" {
		t.Errorf("the late file's ledger row says failed: %q", row)
	}
}
