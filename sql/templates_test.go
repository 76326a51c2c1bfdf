package sql

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// allValues gives every parameter a value, so every optional branch renders.
func allValues() Values {
	return Values{ParamSync: "52275", ParamRun: "8867293", ParamSince: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		ParamLimit: 50, ParamIdentifier: "CUST-1042", ParamStatus: "rejected", ParamN: 3,
		ParamFileFrom: "sync_tracking_datasets/1001/52275/8867293/records_deleted.0.parquet",
		ParamFileTo:   "sync_tracking_datasets/1001/52275/8867293/records_updated.2.parquet"}
}

// valuesFor keeps the values a template takes.
func valuesFor(t Template, all Values) Values {
	v := Values{}
	for _, p := range t.Params {
		v[p] = all[p]
	}
	return v
}

// Every dialect lists the same templates with the same header directives (an
// override must keep the shared header), and every template renders in every
// dialect, with and without its parameters.
func TestDialectParity(t *testing.T) {
	ref, err := List("duckdb")
	if err != nil || len(ref) == 0 {
		t.Fatalf("no duckdb templates: %v", err)
	}
	for _, name := range Dialects() {
		got, err := List(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ref) {
			t.Errorf("%s has %d templates, duckdb has %d", name, len(got), len(ref))
		}
		for i := range min(len(got), len(ref)) {
			a, b := ref[i], got[i]
			if a.Name != b.Name || !reflect.DeepEqual(a.Params, b.Params) || !reflect.DeepEqual(a.Required, b.Required) ||
				a.View != b.View || a.Summary != b.Summary {
				t.Errorf("duckdb/%s and %s/%s differ in name, params, required, view or summary", a.Name, name, b.Name)
			}
		}
	}
	for _, dn := range Dialects() {
		d := dialectNamed(t, dn)
		ts, _ := List(dn)
		for _, tp := range ts {
			if !tp.View {
				if _, err := Render(d, "synctrack", tp.Name, Values{}); err == nil && len(tp.Required) > 0 {
					t.Errorf("%s/%s rendered without its required parameters", dn, tp.Name)
				}
			} else if _, err := Render(d, "synctrack", tp.Name, Values{}); err != nil {
				t.Errorf("%s/%s without parameters: %v", dn, tp.Name, err)
			}
			checkAllParams(t, d, tp)
		}
	}
}

// checkAllParams renders with every parameter the header lists, literal and
// bound, and checks each parameter reaches the SQL.
func checkAllParams(t *testing.T, d Dialect, tp Template) {
	t.Helper()
	v := valuesFor(tp, allValues())
	lit, err := Render(d, "synctrack", tp.Name, v)
	if err != nil {
		t.Errorf("%s/%s with all parameters: %v", d.Name(), tp.Name, err)
		return
	}
	q, err := Bind(d, "synctrack", tp.Name, v)
	if err != nil {
		t.Errorf("%s/%s bound: %v", d.Name(), tp.Name, err)
		return
	}
	bare, _ := Render(d, "synctrack", tp.Name, valuesFor(Template{Params: tp.Required}, v))
	for _, p := range tp.Params {
		one := valuesFor(Template{Params: append([]string{p}, tp.Required...)}, v)
		with, err := Render(d, "synctrack", tp.Name, one)
		if err != nil || (with == bare && !contains(tp.Required, p)) {
			t.Errorf("%s/%s: parameter %s is listed but does not change the SQL (%v)", d.Name(), tp.Name, p, err)
		}
	}
	for i, a := range q.Args {
		ph := d.Placeholder(i+1, a.Name)
		if !strings.Contains(q.SQL, ph) {
			t.Errorf("%s/%s: bound SQL lacks placeholder %s", d.Name(), tp.Name, ph)
		}
		if _, isInt := a.Value.(int); isInt {
			t.Errorf("%s/%s: count %s bound instead of inlined", d.Name(), tp.Name, a.Name)
		}
	}
	if strings.Contains(lit, "<no value>") || strings.Contains(q.SQL, "<no value>") {
		t.Errorf("%s/%s: rendered a missing value", d.Name(), tp.Name)
	}
}

func TestRenderRejects(t *testing.T) {
	d := dialectNamed(t, "duckdb")
	for _, c := range []struct {
		name string
		v    Values
	}{
		{"record_history", Values{}},                           // required identifier missing
		{"run_summary", Values{ParamIdentifier: "x"}},          // not a run_summary parameter
		{"run_summary", Values{ParamSince: "2026-01-01"}},      // not parsed: a string, not a time
		{"run_summary", Values{ParamLimit: "5; DROP TABLE x"}}, // not parsed: a string, not an int
		{"../duckdb/run_summary", Values{}},
		{"snowflake/run_summary", Values{}},
		{"no_such_template", Values{}},
	} {
		if _, err := Render(d, "synctrack", c.name, c.v); err == nil {
			t.Errorf("%s %v rendered", c.name, c.v)
		}
	}
}

func TestParseParams(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	v, err := ParseParams(map[string]string{"since": "7d", "limit": "10", "status": "invalid", "sync": "x'y"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if v[ParamSince] != now.AddDate(0, 0, -7) || v[ParamLimit] != 10 || v[ParamSync] != "x'y" {
		t.Errorf("parsed %v", v)
	}
	for _, since := range []string{"2026-01-05", "2026-01-05T00:00:00Z", "2026-01-05T01:00:00+01:00"} {
		v, err := ParseParams(map[string]string{"since": since}, now)
		if err != nil || !v[ParamSince].(time.Time).Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("since %q: %v %v", since, v, err)
		}
	}
	// 0 is what --limit 0 and --n 0 say: every row, the template's
	// default; both as if left out.
	if v, err := ParseParams(map[string]string{"limit": "0", "n": "0"}, now); err != nil || len(v) != 0 {
		t.Errorf("limit=0 n=0: %v %v, want nothing set", v, err)
	}
	// An empty value is a filter left out, as report's flags give one
	// unset; sql render --param sync= rendered a filter on an empty id.
	empty := map[string]string{"sync": "", "run": "", "identifier": "", "status": "", "since": ""}
	if v, err := ParseParams(empty, now); err != nil || len(v) != 0 {
		t.Errorf("empty values: %v %v, want nothing set", v, err)
	}
	for _, bad := range []map[string]string{{"limit": "-1"}, {"limit": "1e3"}, {"limit": "5;"}, {"n": "-1"},
		{"limit": ""}, {"n": ""}, {"bogus": ""},
		{"status": "failed"}, {"since": "yesterday"}, {"since": "-3d"}, {"bogus": "1"}} {
		if _, err := ParseParams(bad, now); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	// A count over the largest taken says which that is: "from 0" alone
	// reads as if any positive number would do.
	if _, err := ParseParams(map[string]string{"limit": "1000000001"}, now); err == nil || !strings.Contains(err.Error(), "to 1000000000") {
		t.Errorf("limit over the largest: %v, want the largest named", err)
	}
}

// A summary is one whole sentence: `synctrack sql list` shows only the
// header's first line, so one that runs on to the next is cut mid-sentence.
func TestSummariesAreSentences(t *testing.T) {
	ts, err := List("duckdb")
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range ts {
		if !strings.HasSuffix(tp.Summary, ".") {
			t.Errorf("%s: summary %q does not end its sentence", tp.Name, tp.Summary)
		}
	}
}

// A name no template has is refused naming the one it was likely meant to
// be, and no dialect: "no template \"rejection_trends\" for dialect
// \"duckdb\"" read as if another dialect had it.
func TestLookupUnknownNamesNearest(t *testing.T) {
	for name, want := range map[string]string{
		"rejection_trends": `no template "rejection_trends" (did you mean rejection_trend?)`,
		"run-summary":      `no template "run-summary" (did you mean run_summary?)`,
		"nope":             `no template "nope"`,
	} {
		_, err := Lookup("duckdb", name)
		if err == nil || err.Error() != want {
			t.Errorf("Lookup(%q): %v; want %s", name, err, want)
		}
	}
}
