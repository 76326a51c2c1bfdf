package dialects

import (
	"strings"
	"testing"
)

// A rebuild that keeps the rows of a file whose new version failed starts
// from a clone of the live table holding only those rows (their columns
// too), and ranks them after every file, so a file giving an id again wins.
// The kept key is bucket text: quoted.
func TestSnowflakeFactRebuildKeeps(t *testing.T) {
	d := Snowflake{}
	plain := d.FactRebuild("SYNCTRACK", "destinations", []string{"metadata/1/destinations.parquet"}, nil)
	if len(plain.Create) != 1 || !strings.Contains(plain.Create[0], "ENABLE_SCHEMA_EVOLUTION = TRUE") || strings.Contains(plain.Create[0], "CLONE") {
		t.Errorf("a rebuild keeping nothing starts from an empty table: %q", plain.Create)
	}
	kept := "metadata/2/destinations.parquet'); DROP TABLE x; --"
	b := d.FactRebuild("SYNCTRACK", "destinations", []string{"metadata/1/destinations.parquet"}, []string{kept})
	want := []string{
		`CREATE OR REPLACE TABLE "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" CLONE "SYNCTRACK"."DESTINATIONS"`,
		`DELETE FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" WHERE "_FILE" IS NULL OR "_FILE" NOT IN ('metadata/2/destinations.parquet''); DROP TABLE x; --')`,
		`ALTER TABLE "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" SET ENABLE_SCHEMA_EVOLUTION = TRUE`,
	}
	if strings.Join(b.Create, "\n") != strings.Join(want, "\n") {
		t.Errorf("create:\n%s\nwant:\n%s", strings.Join(b.Create, "\n"), strings.Join(want, "\n"))
	}
	rank := `CASE "_FILE" WHEN 'metadata/1/destinations.parquet' THEN 0 WHEN 'metadata/2/destinations.parquet''); DROP TABLE x; --' THEN 1 END`
	if !strings.Contains(b.Finish[1], rank) {
		t.Errorf("the kept file is not ranked after the others:\n%s", b.Finish[1])
	}
}
