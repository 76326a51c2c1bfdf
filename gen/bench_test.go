package gen

import (
	"context"
	"testing"

	"gocloud.dev/blob/memblob"
)

func benchGenerate(b *testing.B, o Options) {
	var rows int64
	for b.Loop() {
		bkt := memblob.OpenBucket(nil)
		m, err := Generate(context.Background(), bkt, o)
		if err != nil {
			b.Fatal(err)
		}
		rows += m.Rows
		bkt.Close()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkLargeFiles writes 2M rows in 40 files.
func BenchmarkLargeFiles(b *testing.B) {
	benchGenerate(b, Options{Orgs: 1, SyncsPerOrg: 1, RunsPerSync: 1, FilesPerRun: 40, RowsPerFile: 50000, Seed: 1})
}

// BenchmarkManySmallFiles writes 5,000 files of 100 rows.
func BenchmarkManySmallFiles(b *testing.B) {
	benchGenerate(b, Options{Orgs: 2, SyncsPerOrg: 5, RunsPerSync: 10, FilesPerRun: 50, RowsPerFile: 100, Seed: 1, Facts: true, Hostile: true})
}
