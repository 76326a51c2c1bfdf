package dialects

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The typed view's SQL for hostile field names, reviewed as a golden file;
// warehouse/postgres runs it on a real server.
func TestPostgresTypedViewGolden(t *testing.T) {
	got := Postgres{}.TypedView("synctrack", "s1", viewBase, hostileColumns()) + "\n"
	path := filepath.Join("testdata", "postgres_typed_view_hostile.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./dialects -run Golden -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs; review and rerun with -update:\n%s", path, got)
	}
}

// Every table Setup makes is synctrack's, in the schema given, and the
// ledger's primary key is what upsertLedger's ON CONFLICT names.
func TestPostgresSetup(t *testing.T) {
	stmts := Postgres{}.Setup(`my"schema`)
	joined := strings.Join(stmts, "\n")
	for _, want := range []string{`"my""schema"."sync_records"`, `"my""schema"."load_ledger"`, "PRIMARY KEY (key, etag)",
		`"state" TEXT DEFAULT 'open'`, `"record_payload" JSONB`, `"my""schema"."daemon_lease"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("setup lacks %s:\n%s", want, joined)
		}
	}
	if body := (Postgres{}).SyncLogBody("s"); !strings.HasPrefix(body, "SELECT") {
		t.Errorf("sync_log body: %.60s", body)
	}
}
