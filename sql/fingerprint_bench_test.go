package sql_test

import (
	"testing"
	"time"

	tsql "github.com/synctrack/synctrack/sql"
)

// BenchmarkFingerprint runs the regexp reference and FastFingerprint over the
// fixture's status messages (the generator's), alternating, in one process,
// and reports FastFingerprint's time per message as a fraction of the
// reference's. go test ./sql -run '^$' -bench Fingerprint
func BenchmarkFingerprint(b *testing.B) {
	var msgs []string
	for _, r := range loaded(b).rows {
		if r.msg != nil {
			msgs = append(msgs, *r.msg)
		}
	}
	if len(msgs) == 0 {
		b.Fatal("no messages in the fixture")
	}
	var slow, fast time.Duration
	var f tsql.Fingerprinter
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, m := range msgs {
			tsql.Fingerprint(m)
		}
		mid := time.Now()
		for _, m := range msgs {
			f.Fingerprint(m)
		}
		slow, fast = slow+mid.Sub(start), fast+time.Since(mid)
	}
	n := float64(b.N * len(msgs))
	b.ReportMetric(float64(slow.Nanoseconds())/n, "regexp-ns/msg")
	b.ReportMetric(float64(fast.Nanoseconds())/n, "fast-ns/msg")
	b.ReportMetric(float64(fast)/float64(slow), "fast/regexp")
}
