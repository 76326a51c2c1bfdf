package dialects

import (
	"strings"
	"testing"
)

// A rebuild that keeps the rows of a file whose new version failed copies
// them from the live table in the required columns only (no kept column's
// type can fail a file), leaves them out of the files' ranking, then drops
// a kept row a newer file gives again and any other file's row a kept one
// beat. The kept key is bucket text: quoted.
func TestSnowflakeFactRebuildKeeps(t *testing.T) {
	d := Snowflake{}
	plain := d.FactRebuild("SYNCTRACK", "destinations", []string{"metadata/1/destinations.parquet"}, nil, nil)
	for _, s := range plain.Finish {
		if strings.Contains(s, "INSERT") {
			t.Errorf("a rebuild keeping nothing copies rows: %q", s)
		}
	}
	kept := "metadata/2/destinations.parquet'); DROP TABLE x; --"
	b := d.FactRebuild("SYNCTRACK", "destinations", []string{"metadata/3/new.parquet", "metadata/1/destinations.parquet"},
		[]string{kept}, []string{"metadata/3/new.parquet"})
	if b.Create != plain.Create {
		t.Errorf("the new table differs when rows are kept:\n%s", b.Create)
	}
	q := `'metadata/2/destinations.parquet''); DROP TABLE x; --'`
	want := []string{
		`INSERT INTO "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" ("ID", "TYPE", "NAME", "ORG_ID", "_FILE", "_LOADED_AT")` + "\n" +
			`SELECT "ID", "TYPE", "NAME", "ORG_ID", "_FILE", "_LOADED_AT" FROM "SYNCTRACK"."DESTINATIONS" WHERE "_FILE" IN (` + q + `)`,
		`DELETE FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" t USING (SELECT "ORG_ID", "ID" FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" WHERE "_FILE" IN ('metadata/3/new.parquet')) k` + "\n" +
			`WHERE t."_FILE" IN (` + q + `) AND EQUAL_NULL(t."ORG_ID", k."ORG_ID") AND EQUAL_NULL(t."ID", k."ID")`,
		`DELETE FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" t USING (SELECT "ORG_ID", "ID" FROM "SYNCTRACK"."DESTINATIONS__SYNCTRACK_NEW" WHERE "_FILE" IN (` + q + `)) k` + "\n" +
			`WHERE NOT t."_FILE" IN (` + q + `) AND EQUAL_NULL(t."ORG_ID", k."ORG_ID") AND EQUAL_NULL(t."ID", k."ID")`,
	}
	if len(b.Finish) != 7 || b.Finish[0] != want[0] || b.Finish[3] != want[1] || b.Finish[4] != want[2] {
		t.Errorf("finish:\n%s\nwant, at 0, 3 and 4:\n%s", strings.Join(b.Finish, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(b.Finish[2], "DROP TABLE x") {
		t.Errorf("the kept file is ranked among the files:\n%s", b.Finish[2])
	}
}
