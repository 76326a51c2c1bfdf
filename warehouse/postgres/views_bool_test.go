package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A boolean column reads what DuckDB's TRY_CAST reads, and NULL where it
// gives NULL: before, PostgreSQL took only true and false, and gave NULL
// for "t", "yes", "1", 1, 0 and the rest, which DuckDB reads. No value
// fails a query on the view.
func TestTypedViewBooleanAsDuckDB(t *testing.T) {
	vals := []string{ // JSON values
		`true`, `false`, `null`, `1`, `0`, `-0`, `2`, `-1`, `1.0`, `0.0`, `-0.0`, `10e-1`, `1e400`,
		`18446744073709551617`, `1e0`, `0e0`, `0.1e1`, `1E0`, `100e-2`, `[]`, `{}`, `[true]`, `{"b": true}`, `""`, `" "`,
	}
	for _, w := range []string{"true", "false", "t", "f", "yes", "no", "y", "n", "1", "0"} {
		vals = append(vals, str(w), str(strings.ToUpper(w)), str(" "+w), str(w+" "), str("\t"+w+"\n"),
			str(w+"\x00"), str(w+w), str("\u00a0"+w), str("\u3000"+w))
		if len(w) > 1 {
			vals = append(vals, str(w[:1]+strings.ToUpper(w[1:])), str(w[:len(w)-1]))
		}
	}
	// Every other character alone, and letters that lower() may take to
	// an ASCII one under some locale: Kelvin, dotted and dotless I, long s,
	// fullwidth t.
	for c := rune(1); c < 128; c++ {
		vals = append(vals, str(string(c)))
	}
	for _, s := range []string{"\u212a", "\u0130", "\u0131", "\u017f", "\uff54", "\uff34rue", "tru\u0117", "+1", "01", "00", "0x1", "1e0", "on", "off", "null", "TRUE\u200b"} {
		vals = append(vals, str(s))
	}
	payloads := make([]string, len(vals))
	for i, v := range vals {
		payloads[i] = `{"b": ` + v + `}`
	}
	pg, duck := loadBoth(t, `{"b": "boolean"}`, payloads)
	got, want := viewColumn(t, pg, "b"), viewColumn(t, duck, "b")
	if len(got) != len(vals) || len(want) != len(vals) {
		t.Fatalf("%d rows on PostgreSQL, %d on DuckDB, want %d", len(got), len(want), len(vals))
	}
	// A JSON number written with an exponent: DuckDB keeps the JSON text
	// and reads 1e0 as the double 1.0, which it does not take as a boolean;
	// jsonb keeps the number only, and 1e0 is then 1, as written. Nothing
	// in the view can tell them apart.
	jsonbDiffers := map[string]string{`1e0`: "true", `1E0`: "true", `0.1e1`: "true", `0e0`: "false"}
	reads := 0
	for i, v := range vals {
		if pgGives, ok := jsonbDiffers[v]; ok {
			if got[i] != pgGives || want[i] != "<nil>" {
				t.Errorf("%s in a boolean field: PostgreSQL gives %s, DuckDB %s; want %s and <nil>", v, got[i], want[i], pgGives)
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("%s in a boolean field: PostgreSQL gives %s, DuckDB %s", v, got[i], want[i])
		}
		if want[i] != "<nil>" {
			reads++
		}
	}
	if reads < 30 {
		t.Errorf("DuckDB reads only %d of the values: the comparison proves little", reads)
	}
}

// str is s as a JSON string.
func str(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
