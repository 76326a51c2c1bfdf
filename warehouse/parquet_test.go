package warehouse

import (
	"bytes"
	"strings"
	"testing"
)

func TestReadParquetTurnsPanicsIntoErrors(t *testing.T) {
	err := ReadParquet(func() error {
		var s []int
		_ = s[:-len("four")+len(s)] // what parquet-go v0.32 does on one corrupt footer
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "corrupt parquet") || !strings.Contains(err.Error(), "slice bounds") {
		t.Fatalf("got %v, want a corrupt parquet error naming the panic", err)
	}
	if err := ReadParquet(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenParquet(bytes.NewReader([]byte("PAR1 not parquet PAR1")), 21); err == nil {
		t.Fatal("want an error for a file that is not parquet")
	}
}
