package dialects

import (
	"reflect"
	"strings"
	"testing"
)

// TestContractMatchesDDL holds the documented columns against the column
// lists the engines create the tables from, so a column added to one
// without the other fails here before any warehouse runs.
func TestContractMatchesDDL(t *testing.T) {
	runs := append(append([]Column{}, RunsColumns...), RunStateColumns...)
	want := map[string][]string{
		"sync_records":    Names(RecordsColumns),
		"sync_runs":       Names(runs),
		"load_ledger":     Names(LedgerColumns),
		"payload_columns": Names(PayloadColumnsColumns),
	}
	for _, f := range []string{"source_objects", "destinations", "destination_objects"} {
		want[f] = Names(factTableColumns(f))
	}
	for name, cols := range want {
		r, ok := Lookup(name)
		if !ok {
			t.Errorf("%s: not in the contract", name)
			continue
		}
		if got := docNames(r.Columns); !reflect.DeepEqual(got, cols) {
			t.Errorf("%s: contract columns\n %v\nDDL columns\n %v", name, got, cols)
		}
	}
	r, _ := Lookup("sync_runs")
	for _, c := range r.Columns {
		if daemon := contains(Names(RunStateColumns), c.Name); c.Daemon != daemon {
			t.Errorf("sync_runs.%s: Daemon = %v, want %v", c.Name, c.Daemon, daemon)
		}
	}
}

func TestContractIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Contract() {
		if seen[r.Name] {
			t.Errorf("%s listed twice", r.Name)
		}
		seen[r.Name] = true
		if r.Doc == "" && !r.Analysis {
			t.Errorf("%s: no doc", r.Name)
		}
		cols := map[string]bool{}
		for _, c := range r.Columns {
			if strings.TrimSpace(c.Doc) == "" {
				t.Errorf("%s.%s: no doc", r.Name, c.Name)
			}
			if cols[c.Name] {
				t.Errorf("%s.%s listed twice", r.Name, c.Name)
			}
			cols[c.Name] = true
		}
	}
	// Every reference points at a documented column.
	for _, r := range Contract() {
		for _, c := range r.Columns {
			if c.References == "" {
				continue
			}
			table, col, _ := strings.Cut(c.References, ".")
			to, ok := Lookup(table)
			if !ok || !contains(docNames(to.Columns), col) {
				t.Errorf("%s.%s references %s, which the contract does not have", r.Name, c.Name, c.References)
			}
		}
	}
	for _, name := range []string{"sync_log", "sync_records", "payload_columns"} {
		if !seen[name] {
			t.Errorf("%s missing", name)
		}
	}
}

func docNames(cols []ColumnDoc) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Every column countsCompression names is a string column of a counts
// table (a misspelt name would leave its column to DuckDB's choice), and
// every string column of theirs has its compression fixed in Setup's DDL:
// the checkpoint's analysis of each method, which fixing it skips, is what
// it is for.
func TestCountsCompressionNamesColumns(t *testing.T) {
	strs := map[string]bool{}
	for _, tb := range CountsTables() {
		for _, c := range tb.Columns {
			if c.Type == "VARCHAR" {
				strs[c.Name] = true
			}
		}
	}
	for name := range countsCompression {
		if !strs[name] {
			t.Errorf("countsCompression names %q, not a string column of the counts tables", name)
		}
	}
	for _, tb := range CountsTables() {
		var ddl string
		for _, s := range (DuckDB{}).Setup("s") {
			if strings.HasPrefix(s, "CREATE TABLE IF NOT EXISTS "+(DuckDB{}).Table("s", tb.Name)+" (") {
				ddl = s
			}
		}
		if ddl == "" {
			t.Fatalf("Setup creates no %s", tb.Name)
		}
		for _, c := range tb.Columns {
			if c.Type == "VARCHAR" && !strings.Contains(ddl, (DuckDB{}).Ident(c.Name)+" VARCHAR USING COMPRESSION ") {
				t.Errorf("%s.%s: no fixed compression in %s", tb.Name, c.Name, ddl)
			}
		}
	}
}

// FreeCompression leaves to DuckDB the columns Setup fixes to fsst or
// dictionary, keeps those stored as they are, and Setup is otherwise the
// same statements.
func TestFreeCompressionSetup(t *testing.T) {
	fixed, free := (DuckDB{}).Setup("s"), (DuckDB{FreeCompression: true}).Setup("s")
	if len(fixed) != len(free) {
		t.Fatalf("%d statements with FreeCompression, %d without", len(free), len(fixed))
	}
	refused := func(s string) bool {
		return strings.Contains(s, "USING COMPRESSION fsst") || strings.Contains(s, "USING COMPRESSION dictionary")
	}
	n, kept := 0, 0
	for i, s := range free {
		if refused(s) {
			t.Errorf("FreeCompression still fixes fsst or dictionary: %s", s)
		}
		if refused(fixed[i]) {
			n++
		}
		kept += strings.Count(s, "USING COMPRESSION uncompressed")
		if refused(fixed[i]) != (s != fixed[i]) {
			t.Errorf("statement %d: %s\nagainst %s", i, s, fixed[i])
		}
	}
	if n == 0 || kept == 0 {
		t.Errorf("Setup fixes %d statements' fsst or dictionary and FreeCompression keeps %d uncompressed columns: want some of each", n, kept)
	}
}
