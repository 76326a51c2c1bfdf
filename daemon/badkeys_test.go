package daemon

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/loader"
)

// The names not UTF-8 the daemon has warned of are held so each is said
// once; a listing of the whole prefix forgets those it no longer has, so a
// daemon that sees bad names come and go holds only those still there. A
// folder's listing forgets nothing: it does not see the others.
func TestBadKeysForgottenWhenGone(t *testing.T) {
	var logs bytes.Buffer
	tg := &target{log: slog.New(slog.NewTextHandler(&logs, nil))}
	bad := func(keys ...string) *loader.Plan {
		p := &loader.Plan{}
		for _, k := range keys {
			p.BadKeys = append(p.BadKeys, loader.Object{Key: k})
		}
		return p
	}
	const (
		a = "sync_tracking_datasets/o/s/r1/records_\xff.parquet"
		b = "sync_tracking_datasets/o/s/r2/records_\xfe.parquet"
		f = "metadata/model_\xff.parquet"
	)
	tg.noteBadKeys(bad(a, b, f), scope{runs: true, facts: true})
	if len(tg.badKeys) != 3 {
		t.Fatalf("held %d bad names, want 3", len(tg.badKeys))
	}
	// A folder's listing without b forgets nothing.
	tg.noteBadKeys(bad(a), scope{folders: map[string]bool{"sync_tracking_datasets/o/s/r1/": true}})
	if len(tg.badKeys) != 3 {
		t.Fatalf("a folder's listing left %d bad names, want 3", len(tg.badKeys))
	}
	// The runs listed whole without b: b is forgotten, f (not listed) kept.
	tg.noteBadKeys(bad(a), scope{runs: true})
	if tg.badKeys[b] || !tg.badKeys[a] || !tg.badKeys[f] || len(tg.badKeys) != 2 {
		t.Fatalf("after b went, held %q, want a and f", keysOf(tg.badKeys))
	}
	tg.noteBadKeys(bad(a), scope{facts: true})
	if tg.badKeys[f] || len(tg.badKeys) != 1 {
		t.Fatalf("after f went, held %q, want a", keysOf(tg.badKeys))
	}
	if n := strings.Count(logs.String(), "not UTF-8"); n != 3 {
		t.Fatalf("said %d bad names, want 3 (each once):\n%s", n, logs.String())
	}
	// b back: said again, as a new file.
	tg.noteBadKeys(bad(a, b), scope{runs: true})
	if n := strings.Count(logs.String(), "not UTF-8"); n != 4 {
		t.Fatalf("said %d bad names, want 4 (b again):\n%s", n, logs.String())
	}
}

func keysOf(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
