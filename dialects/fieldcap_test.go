package dialects

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCapFields(t *testing.T) {
	fields := func(prefix string, n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("%s%05d", prefix, i)] = "string"
		}
		return m
	}
	// Under the bound: the fields as given.
	small := fields("a", 10)
	if got, left := CapFields(nil, small); len(got) != 10 || left != nil {
		t.Errorf("10 fields: kept %d, left %v", len(got), left)
	}

	// Existing columns stay, even those no run names now; the new fields are
	// taken in bytewise order until the view is full.
	var existing []PayloadColumn
	for f := range fields("m", 1000) {
		existing = append(existing, PayloadColumn{Field: f, Column: f, Type: "string"})
	}
	all := fields("b", 400)
	for f, t := range fields("z", 400) {
		all[f] = t
	}
	all["m00001"] = "number" // an existing field, named again
	kept, left := CapFields(existing, all)
	if len(kept) != 501 {
		t.Fatalf("kept %d fields, want the 500 new ones with room and the existing one named", len(kept))
	}
	if kept["m00001"] != "number" || kept["b00399"] != "string" || kept["z00099"] != "string" {
		t.Errorf("kept the wrong fields: m00001 %q, b00399 %q, z00099 %q", kept["m00001"], kept["b00399"], kept["z00099"])
	}
	if len(left) != 300 || left[0] != "z00100" || left[299] != "z00399" || !slices.IsSorted(left) {
		t.Errorf("left out %d fields (%v ... ), want z00100..z00399 sorted", len(left), left[:min(3, len(left))])
	}
	cols := AssignColumns(existing, kept, Names(RecordsColumns))
	if len(cols) != MaxViewFields {
		t.Errorf("the view gets %d columns, want %d", len(cols), MaxViewFields)
	}

	// A view already full takes nothing new.
	if kept, left := CapFields(cols, fields("c", 3)); len(kept) != 0 || len(left) != 3 {
		t.Errorf("full view: kept %d, left %d; want 0 and 3", len(kept), len(left))
	}
}

// A field's name is read in the view's SQL for every cell of its column (on
// PostgreSQL some 20 times for a number), so 1,499 numbers named with
// 10,000 bytes each (a 15 MB metadata.json) made a view of 300 MB of SQL:
// the server ran out of memory, and every load of the sync's runs failed
// with it. A new field with a name past MaxFieldNameBytes gets no column;
// its values stay in record_payload. One that has a column keeps it.
func TestCapFieldsLeavesOutLongNames(t *testing.T) {
	long, limit := strings.Repeat("x", MaxFieldNameBytes+1), strings.Repeat("y", MaxFieldNameBytes)
	kept, left := CapFields(nil, map[string]string{long: "number", limit: "number", "email": "string"})
	if len(kept) != 2 || kept[limit] != "number" || kept["email"] != "string" || !slices.Equal(left, []string{long}) {
		t.Errorf("kept %d fields, left out %d; want the long one left out", len(kept), len(left))
	}
	existing := []PayloadColumn{{Field: long, Column: "x", Type: "number"}}
	if kept, left := CapFields(existing, map[string]string{long: "number"}); len(kept) != 1 || left != nil {
		t.Errorf("an existing column of a long name: kept %d, left %v; want it kept", len(kept), left)
	}
}
