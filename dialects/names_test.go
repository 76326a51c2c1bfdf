package dialects

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// base is the reserved list the typed views use in these tests.
var base = []string{"identifier", "status", "status_message", "operation", "sync_run_id", "_file"}

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("abcdefghij", 20)
	tests := []struct{ in, want string }{
		{"email", "email"},
		{"Email", "email"},
		{"First Name", "first_name"},
		{"__a__b__", "a_b"},
		{"a-b.c/d", "a_b_c_d"},
		{`x"); DROP TABLE sync_records; --`, "x_drop_table_sync_records"},
		{"", "f_"},
		{"___", "f_"},
		{"日本", "f_"},
		{"naïve", "na_ve"},
		{"123abc", "f_123abc"},
		{"1", "f_1"},
		{long, long[:60]},
		{"1" + long, ("f_1" + long)[:60]},
		// The cut lands just after a separator: no trailing _ and no glued words.
		{strings.Repeat("a", 59) + " b", strings.Repeat("a", 59)},
		{"a\x00b", "a_b"},
	}
	for _, tt := range tests {
		got := SanitizeName(tt.in)
		if got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(got) > 60 || strings.HasSuffix(got, "_") && got != "f_" {
			t.Errorf("SanitizeName(%q) = %q: too long or trailing _", tt.in, got)
		}
	}
}

func TestNormalizeType(t *testing.T) {
	tests := map[string]string{
		"string": "string", "STRING": "string", " String ": "string",
		"number": "number", "Integer": "number",
		"boolean": "boolean", "bool": "boolean",
		"array": "json", "object": "json", "null": "json", "": "json", "weird": "json",
	}
	for in, want := range tests {
		if got := NormalizeType(in); got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAssignColumns(t *testing.T) {
	tests := []struct {
		name     string
		existing []PayloadColumn
		fields   map[string]string
		want     []PayloadColumn
	}{
		{
			name:   "case-only twins: bytewise order decides, E < e",
			fields: map[string]string{"email": "string", "Email": "string"},
			want: []PayloadColumn{
				{"Email", "email", "string"},
				{"email", "email_2", "string"},
			},
		},
		{
			name:   "names of base columns, in any case",
			fields: map[string]string{"status": "string", "Identifier": "number", "_file": "boolean"},
			want: []PayloadColumn{
				{"_file", "file", "boolean"},
				{"Identifier", "identifier_2", "number"},
				{"status", "status_2", "string"},
			},
		},
		{
			name:   "hostile, empty, unicode, leading digit",
			fields: map[string]string{`x"); DROP TABLE sync_records; --`: "string", "": "string", "naïve": "array", "na ve": "number", "1st": "string"},
			want: []PayloadColumn{
				{"", "f_", "string"},
				{"1st", "f_1st", "string"},
				{"na ve", "na_ve", "number"},
				{"naïve", "na_ve_2", "json"},
				{`x"); DROP TABLE sync_records; --`, "x_drop_table_sync_records", "string"},
			},
		},
		{
			name:   "a suffix does not collide with a real field of that name",
			fields: map[string]string{"a": "string", "A": "string", "a_2": "string"},
			want: []PayloadColumn{
				{"A", "a", "string"},
				{"a", "a_2", "string"},
				{"a_2", "a_2_2", "string"},
			},
		},
		{
			name:     "sticky: an existing assignment keeps its name when a twin arrives",
			existing: []PayloadColumn{{"email", "email", "string"}},
			fields:   map[string]string{"email": "string", "Email": "string"},
			want: []PayloadColumn{
				{"email", "email", "string"},
				{"Email", "email_2", "string"},
			},
		},
		{
			name:     "sticky: fields gone from the schema keep their column",
			existing: []PayloadColumn{{"old", "old", "number"}},
			fields:   map[string]string{"added": "string"},
			want: []PayloadColumn{
				{"added", "added", "string"},
				{"old", "old", "number"},
			},
		},
		{
			// Every engine refuses these unquoted (select, order: all three;
			// new: BigQuery; minus: Snowflake); the suffix makes them plain.
			name:   "SQL keywords get a suffix, and the suffixed name still never collides",
			fields: map[string]string{"select": "string", "ORDER": "number", "new": "string", "minus": "boolean", "select_f": "string", "selected": "string"},
			want: []PayloadColumn{
				{"minus", "minus_f", "boolean"},
				{"new", "new_f", "string"},
				{"ORDER", "order_f", "number"},
				{"select", "select_f", "string"},
				{"select_f", "select_f_2", "string"},
				{"selected", "selected", "string"},
			},
		},
		{
			name:     "a column named before keywords were suffixed keeps its name",
			existing: []PayloadColumn{{"select", "select", "string"}},
			fields:   map[string]string{"select": "string"},
			want:     []PayloadColumn{{"select", "select", "string"}},
		},
		{
			name:     "an existing column whose name became reserved is renamed, keeping its type",
			existing: []PayloadColumn{{"Status", "status", "number"}, {"a", "a", "string"}},
			fields:   map[string]string{"a": "string"},
			want: []PayloadColumn{
				{"a", "a", "string"},
				{"Status", "status_2", "number"},
			},
		},
		{
			name: "a damaged catalog: doubled column and doubled field",
			existing: []PayloadColumn{
				{"x", "x", "string"}, {"X", "x", "string"}, // doubled column
				{"y", "status", "string"}, {"y", "y", "boolean"}, // doubled field, first unusable
			},
			fields: map[string]string{"X": "number"},
			want: []PayloadColumn{
				{"x", "x", "string"},
				{"X", "x_2", "json"},
				{"y", "y", "boolean"},
			},
		},
		{
			name:     "type widening: a disagreeing schema makes json, agreement keeps the type",
			existing: []PayloadColumn{{"n", "n", "number"}, {"s", "s", "string"}, {"j", "j", "json"}},
			fields:   map[string]string{"n": "string", "s": "STRING", "j": "number"},
			want: []PayloadColumn{
				{"j", "j", "json"},
				{"n", "n", "json"},
				{"s", "s", "string"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssignColumns(tt.existing, tt.fields, base)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			checkUnique(t, got)
		})
	}
}

func TestAssignColumnsLongNames(t *testing.T) {
	long := strings.Repeat("x", 200)
	fields := map[string]string{}
	for i := 0; i < 12; i++ {
		fields[long+strings.Repeat("!", i)] = "string" // all sanitize to 60 x's
	}
	got := AssignColumns(nil, fields, base)
	checkUnique(t, got)
	for _, c := range got {
		if len(c.Column) > 60 {
			t.Errorf("column %q is %d bytes", c.Column, len(c.Column))
		}
	}
	byField := map[string]string{}
	for _, c := range got {
		byField[c.Field] = c.Column
	}
	// The 10th field in bytewise order gets _10, and gives up 3 bytes for it.
	if byField[long] != strings.Repeat("x", 60) || byField[long+"!!!!!!!!!"] != strings.Repeat("x", 57)+"_10" {
		t.Errorf("unexpected names: %v", byField)
	}
}

// Go randomises map iteration, so building the same map many times in
// different insertion orders exercises different orders.
func TestAssignColumnsDeterministic(t *testing.T) {
	names := []string{"Email", "email", "EMAIL", "e mail", "e-mail", "status", "naïve", "na_ve", "", "1", "f_1"}
	var first []PayloadColumn
	for i := 0; i < 50; i++ {
		fields := map[string]string{}
		for j := range names {
			n := names[(i+j)%len(names)]
			fields[n] = "string"
		}
		got := AssignColumns(nil, fields, base)
		checkUnique(t, got)
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Fatalf("run %d differs:\n%v\n%v", i, got, first)
		}
	}
}

func TestViewName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123", "sync_records_123"},
		{"abc_1", "sync_records_abc_1"},
		{"abc-1", "sync_records_abc_1_"}, // a hash follows
		{"", "sync_records_"},
	}
	for _, tt := range tests {
		got := ViewName(tt.in)
		if !strings.HasPrefix(got, tt.want) || len(got) > len("sync_records_")+60 {
			t.Errorf("ViewName(%q) = %q, want prefix %q", tt.in, got, tt.want)
		}
		if got != SanitizeName(got) {
			t.Errorf("ViewName(%q) = %q is not a plain name", tt.in, got)
		}
	}
	seen := map[string]string{}
	for _, id := range []string{"a-b", "a_b", "A-B", "a b", "a--b", "", "_", strings.Repeat("z", 100), strings.Repeat("z", 101)} {
		v := ViewName(id)
		if other, ok := seen[v]; ok {
			t.Errorf("ViewName(%q) = ViewName(%q) = %q", id, other, v)
		}
		seen[v] = id
	}
}

func checkUnique(t *testing.T, cols []PayloadColumn) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range base {
		seen[strings.ToLower(r)] = true
	}
	for _, c := range cols {
		k := strings.ToLower(c.Column)
		if seen[k] {
			t.Errorf("column %q used twice or reserved", c.Column)
		}
		seen[k] = true
	}
}

// A view name fits the engine's limit, distinct for ids that share their
// first bytes, and is ViewName's when that fits (found by a review:
// PostgreSQL cut two 73-byte names to one, and one sync's view showed the
// other's rows).
func TestViewNameWithin(t *testing.T) {
	if got := ViewNameWithin("123", 1, 63); got != "sync_records_123" {
		t.Errorf("a short id: %q", got)
	}
	if got := ViewNameWithin("123", 2, 63); got != "sync_records_123_2" {
		t.Errorf("a short id's second view: %q", got)
	}
	long := strings.Repeat("b", 70)
	seen := map[string]string{}
	for _, id := range []string{long + "x", long + "y", strings.Repeat("c", 50), strings.Repeat("c", 51), strings.Repeat("c", 60), "É" + long} {
		for n := 1; n <= 12; n++ {
			v := ViewNameWithin(id, n, 63)
			if len(v) > 63 || !strings.HasPrefix(v, "sync_records_") || strings.Contains(v, "__") {
				t.Errorf("ViewNameWithin(%q, %d) = %q (%d bytes)", id, n, v, len(v))
			}
			key := fmt.Sprintf("%s/%d", id, n)
			if other, ok := seen[v]; ok {
				t.Errorf("%s and %s both get %q", other, key, v)
			}
			seen[v] = key
		}
	}
	if got := ViewNameWithin(strings.Repeat("c", 50), 1, 63); got != ViewName(strings.Repeat("c", 50)) {
		t.Errorf("a 63-byte name changed: %q", got)
	}
}
