package snowflake

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gocloud.dev/blob"

	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// version is one expected ledger row of a key, written by hand in a test:
// which object version, and its status.
type version struct{ etag, status string }

// checkLedger compares the fake's committed ledger with want: for each key
// named, its versions in the order first seen. The fake derives the ledger
// from the statements synctrack sends, so this is the oracle for the ledger
// SQL, not a second copy of its rule.
func checkLedger(t *testing.T, f *sffake.Server, want map[string][]version) {
	t.Helper()
	got := map[string][]version{}
	for _, r := range f.Ledger() {
		got[r[0]] = append(got[r[0]], version{r[1], r[4]})
	}
	for key, w := range want {
		if fmt.Sprint(got[key]) != fmt.Sprint(w) {
			t.Errorf("ledger of %s: %v, want %v", key, got[key], w)
		}
	}
}

// etag is key's ETag as the loader lists it (for mem:// buckets, the quoted
// hex MD5 of the content).
func etag(t *testing.T, b *blob.Bucket, key string) string {
	t.Helper()
	a, err := b.Attributes(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Quote(hex.EncodeToString(a.MD5))
}

// rewrite gives key new content, so a new ETag.
func rewrite(t *testing.T, b *blob.Bucket, key, body string) string {
	t.Helper()
	if err := b.WriteAll(context.Background(), key, []byte(body), nil); err != nil {
		t.Fatal(err)
	}
	return etag(t, b, key)
}

// transactions lists each transaction's statements by first line, for
// comparing with what a test expects.
func transactions(stmts []string) []string {
	var out []string
	cur := ""
	for _, s := range stmts {
		line := firstLine(s)
		switch {
		case s == "BEGIN":
			cur = "BEGIN"
		case cur == "":
			continue
		default:
			cur += " | " + strings.SplitN(line, " (", 2)[0]
		}
		if s == "COMMIT" || s == "ROLLBACK" {
			out = append(out, cur)
			cur = ""
		}
	}
	return out
}
