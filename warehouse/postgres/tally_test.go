package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/pgtest"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/postgres"
)

// hostileRow is a records file's row with every column the counts group by
// optional, so one file can hold NULLs, several runs and batch starts.
type hostileRow struct {
	Identifier string     `parquet:"identifier"`
	Payload    string     `parquet:"record_payload"`
	Status     *string    `parquet:"status,optional"`
	Message    *string    `parquet:"status_message,optional"`
	Started    *time.Time `parquet:"batch_started_at,optional,timestamp(microsecond)"`
	Ended      *time.Time `parquet:"batch_ended_at,optional,timestamp(nanosecond)"`
	Sync       *string    `parquet:"sync_configuration_id,optional"`
	Run        *string    `parquet:"sync_run_id,optional"`
	Org        *string    `parquet:"org_id,optional"`
}

func ptr[T any](v T) *T { return &v }

func hostileRows() []hostileRow {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 123_456_000, time.UTC)
	statuses := []*string{nil, ptr("succeeded"), ptr("SUCCEEDED"), ptr("Rejected"), ptr("rejected"), ptr("REJECTED "),
		ptr("ſucceeded"), ptr(""), ptr("duplicate"), ptr("rejected\x00")}
	messages := []*string{nil, ptr(""), ptr("invalid 'a'"), ptr("invalid 'B'"), ptr("invalid 'ä'"), ptr("Invalid 'z'"),
		ptr("bad \xff\xfe utf8 for u_77"), ptr("bad \xc3 utf8 for u_78"), ptr("nul\x00byte 12"), ptr("email x@y.com is taken"),
		ptr("email z@q.org is taken"), ptr("日本語 id 0035g00000AbCdEfGH"), ptr("日本語 id 0035g00000ZZZZZZZZ"),
		ptr("host john.smith.example.com down"), ptr("uuid 123e4567-e89b-12d3-a456-426614174000 gone"),
		ptr("uuid 00000000-0000-0000-0000-000000000000 gone"), ptr("amount -12.5 over 7"), ptr("amount 3 over 70"),
		ptr("Émile 'x' and émile 'y'"), ptr("a"), ptr("B"), ptr("b")}
	starts := []*time.Time{nil, &t0, ptr(t0.Add(time.Hour)), ptr(t0.Add(999 * time.Nanosecond))}
	ends := []*time.Time{nil, ptr(t0.Add(time.Minute)), ptr(t0.Add(time.Minute + 1500*time.Nanosecond)), ptr(t0.Add(2 * time.Minute))}
	runs := []*string{nil, ptr("r2"), ptr("r3"), ptr("")}
	var out []hostileRow
	for i := 0; i < 600; i++ {
		out = append(out, hostileRow{Identifier: fmt.Sprint(i), Payload: `{"i":` + fmt.Sprint(i) + `}`,
			Status: statuses[i%len(statuses)], Message: messages[(i/3)%len(messages)],
			Started: starts[(i/7)%len(starts)], Ended: ends[(i/5)%len(ends)],
			Run: runs[(i/11)%len(runs)], Sync: []*string{nil, ptr("s9")}[(i/13)%2], Org: []*string{nil, ptr("o1")}[(i/17)%2]})
	}
	// One group holding both orders' least message.
	for _, m := range []string{"invalid 'a'", "invalid 'B'", "invalid 'b'"} {
		out = append(out, hostileRow{Identifier: m, Payload: "{}", Status: ptr("rejected"), Message: ptr(m), Started: &t0, Run: ptr("r9")})
	}
	return out
}

// The counts a load computes on the client (tally.go) are, row for row,
// what sql.CountsInserts computes on the server over the same sync_records
// rows: NULL and mixed-case statuses, NULL, empty, repaired and non-ASCII
// messages, messages that fingerprint alike, several runs and batch starts
// in one file, generated files besides; in one transaction and split; in
// the tests' C database and in one whose text sorts by an ICU collation
// (the least message must still be the least in byte order, as
// CountsInserts' COLLATE "C" has it).
func TestClientCountsMatchSQL(t *testing.T) {
	url, dir := testbucket.Dir(t)
	o := gen.DefaultOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 2, 2, 2, 300
	if _, err := gen.Generate(context.Background(), testbucket.Open(t, url), o); err != nil {
		t.Fatal(err)
	}
	rows := hostileRows()
	writeParquet(t, dir, runDir+"records_updated.0.parquet", rows[:300])
	writeParquet(t, dir, runDir+"records_updated.1.parquet", rows[300:])
	writeParquet(t, dir, runDir+"records_updated.2.parquet", rows[:0])

	srv := pgtest.Server(t)
	for _, c := range []struct {
		name       string
		icu, split bool
	}{{"c", false, false}, {"c-split", false, true}, {"icu", true, false}, {"icu-split", true, true}} {
		t.Run(c.name, func(t *testing.T) {
			u := pgtest.URL(t)
			if c.icu {
				if u = icuDatabase(t, srv); u == "" {
					// Debian's postgresql, which .ci/run installs, has ICU.
					if os.Getenv(pgtest.RequireEnv) != "" {
						t.Fatalf("no ICU collation on this server, and %s is set", pgtest.RequireEnv)
					}
					t.Skip("no ICU collation on this server")
				}
			}
			w := open(t, u, warehouse.Options{})
			if c.split {
				postgres.SplitEveryBatch(w.(*postgres.Warehouse))
			}
			if _, err := loader.New(testbucket.Open(t, url), dir, w, loader.Options{}).Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := one(t, w, `SELECT count(*) FROM synctrack_schema.sync_records WHERE _file LIKE $1`, runDir+"%"); n != fmt.Sprint(len(rows)) {
				t.Fatalf("premise: %s hostile rows loaded, want %d", n, len(rows))
			}
			compareWithSQL(t, w)
		})
	}
}

// icuDatabase makes a database whose default collation is ICU's English
// (where 'a' < 'B', unlike in byte order) and returns a warehouse URL for a
// schema in it; "" when the server has no ICU.
func icuDatabase(t *testing.T, srv *pgtest.Instance) string {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, srv.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE DATABASE synctrack_icu TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en'`); err != nil &&
		!strings.Contains(err.Error(), "already exists") {
		t.Logf("no ICU database: %v", err)
		return ""
	}
	u := strings.Replace(srv.URL("counts_icu_"+fmt.Sprint(time.Now().UnixNano())), "/"+pgtest.Database+"?", "/synctrack_icu?", 1)
	if !strings.Contains(u, "/synctrack_icu?") {
		t.Fatalf("cannot point %s at the ICU database", u)
	}
	return u
}

// compareWithSQL runs sql.CountsInserts over w's sync_records into a
// scratch schema's copies of the counts tables and compares both ways.
func compareWithSQL(t *testing.T, w warehouse.Warehouse) {
	d, s := dialects.Postgres{}, w.Schema()
	scratch := s + "_sql"
	stmts := []string{`CREATE SCHEMA ` + d.Ident(scratch),
		`CREATE VIEW ` + d.Table(scratch, "sync_records") + ` AS SELECT * FROM ` + d.Table(s, "sync_records")}
	for _, tb := range dialects.CountsTables() {
		stmts = append(stmts, `CREATE TABLE `+d.Table(scratch, tb.Name)+` (LIKE `+d.Table(s, tb.Name)+`)`)
	}
	stmts = append(stmts, analysis.CountsInserts(d, scratch, "TRUE", "")...)
	for _, q := range stmts {
		execPG(t, w, q)
	}
	for _, tb := range dialects.CountsTables() {
		client, server := d.Table(s, tb.Name), d.Table(scratch, tb.Name)
		n := one(t, w, `SELECT count(*) FROM `+client)
		if n == "0" || n != one(t, w, `SELECT count(*) FROM `+server) {
			t.Errorf("%s: %s rows on the client, %s by CountsInserts", tb.Name, n, one(t, w, `SELECT count(*) FROM `+server))
		}
		for _, q := range [][2]string{{client, server}, {server, client}} {
			for _, r := range rowsOf(t, w, `SELECT * FROM `+q[0]+` EXCEPT ALL SELECT * FROM `+q[1]) {
				t.Errorf("%s: %s has %s, the other not", tb.Name, q[0], r)
			}
		}
	}
	// The premises: the hostile groups are there, and in the ICU database
	// the column's own order differs from the counts' byte order.
	fp := d.Table(s, dialects.FingerprintCountsTable)
	got := rowsOf(t, w, `SELECT status_message FROM `+fp+` WHERE fingerprint = $1 AND sync_run_id = 'r9'`, "invalid '<v>'")
	if len(got) != 1 || got[0] != "invalid 'B'" {
		t.Errorf("least messages of run r9's one group: %q, want [invalid 'B'] (byte order)", got)
	}
	if strings.Contains(w.(*postgres.Warehouse).Pool().Config().ConnConfig.Database, "icu") {
		if m := one(t, w, `SELECT min(m) FROM (VALUES ('invalid ''a'''), ('invalid ''B''')) v(m)`); m != "invalid 'a'" {
			t.Errorf("premise: ICU database sorts %q first", m)
		}
	}
}
