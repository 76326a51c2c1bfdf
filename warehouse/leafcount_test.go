package warehouse

import (
	"testing"

	"github.com/parquet-go/parquet-go"
)

// A field's leaf count is what numbers the column chunks after it: a
// struct of a list and a scalar spans two leaves, a scalar one.
func TestLeafCount(t *testing.T) {
	s := parquet.NewSchema("r", parquet.Group{
		"a": parquet.String(),
		"b": parquet.Group{"x": parquet.Repeated(parquet.Leaf(parquet.Int64Type)), "y": parquet.Group{"z": parquet.String(), "w": parquet.String()}},
		"c": parquet.Optional(parquet.Leaf(parquet.DoubleType)),
	})
	want := map[string]int{"a": 1, "b": 3, "c": 1}
	for _, f := range s.Fields() {
		if got := LeafCount(f); got != want[f.Name()] {
			t.Errorf("LeafCount(%s) = %d, want %d", f.Name(), got, want[f.Name()])
		}
	}
	if got := LeafCount(s); got != 5 {
		t.Errorf("LeafCount(schema) = %d, want 5", got)
	}
}
