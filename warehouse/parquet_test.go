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

func TestCheckColumnName(t *testing.T) {
	for name, ok := range map[string]bool{"status": true, "naïve_ünïcode": true, `x"); DROP TABLE t; --`: true,
		"": false, "a\x00b": false, "ba\xd1ch": false} {
		if err := CheckColumnName(2, name); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", name, err, ok)
		} else if err != nil && !strings.Contains(err.Error(), "column 3") {
			t.Errorf("%q: %v does not say which column", name, err)
		}
	}
}
