package postgres_test

import (
	"strings"
	"testing"
)

// A number field reads what DuckDB's TRY_CAST reads, cell by cell: JSON
// numbers of any size (an infinity past DOUBLE's range, a zero below it),
// strings with spaces, underscores, NaN and the infinities, and nothing
// that fails a query on the view.
func TestTypedViewNumberAsDuckDB(t *testing.T) {
	vals := []string{ // JSON values
		`0`, `1`, `-1`, `0.5`, `-2.5e-3`, `1e300`, `1e308`, `1.7976931348623157e308`, `1e309`, `1e400`, `-1e400`,
		`1e-400`, `-1e-400`, `2.2250738585072014e-308`, `12345678901234567890`, `1` + strings.Repeat("0", 400),
		`true`, `null`, `[1]`, `{"a": 1}`, `"1" `,
	}
	for _, s := range []string{
		"12", " 12 ", "\t-3.5\n", "+7", "1.", ".5", "1e5", "1E-5", "1e0005", "1e00005", "1e400", "-1e400", "1e-400", "-1e-400",
		"1_000", "1__0", "_1", "1_", "1_0.5_5", "1e1_0", "1_e5", "1._5",
		"NaN", "nan", "nAn", "+nan", " inf ", "Infinity", "-inf", "+Inf", " -Infinity ", "infinit", "infinityx", "in f",
		"0x10", "1,5", "\u0661", "\u00a012", "12\u3000", "", " ", "-", ".", "e5", "1e", "1e+", "--1", "1-",
		"\u212anan", "\u0130nf",
	} {
		vals = append(vals, str(s))
	}
	payloads := make([]string, len(vals))
	for i, v := range vals {
		payloads[i] = `{"n": ` + v + `}`
	}
	pg, duck := loadBoth(t, `{"n": "number"}`, payloads)
	got, want := viewColumn(t, pg, "n"), viewColumn(t, duck, "n")
	if len(got) != len(vals) || len(want) != len(vals) {
		t.Fatalf("%d rows on PostgreSQL, %d on DuckDB, want %d", len(got), len(want), len(vals))
	}
	reads := 0
	for i, v := range vals {
		if got[i] != want[i] {
			t.Errorf("%s in a number field: PostgreSQL gives %s, DuckDB %s", v, got[i], want[i])
		}
		if want[i] != "<nil>" {
			reads++
		}
	}
	if reads < 30 {
		t.Errorf("DuckDB reads only %d of the values: the comparison proves little", reads)
	}
}
