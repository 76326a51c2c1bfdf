package warehouse

import (
	"regexp"
	"testing"

	"github.com/synctrack/synctrack/dialects"
)

// Every status a ledger row can hold is in the contract's description of
// load_ledger.status, which synctrack dbt writes into sources.yml: a reader
// of that (or of the dbt docs site) meets no status it was not told of.
func TestLedgerStatusesDocumented(t *testing.T) {
	r, ok := dialects.Lookup("load_ledger")
	if !ok {
		t.Fatal("no load_ledger in the contract")
	}
	var doc string
	for _, c := range r.Columns {
		if c.Name == "status" {
			doc = c.Doc
		}
	}
	for _, s := range []string{StatusLoaded, StatusFailed, StatusQuarantined, StatusSkipped, StatusReplaced, StatusDeleted, StatusExpired} {
		// One of the list, not a word of another's description.
		if !regexp.MustCompile(`(^|, |or )` + s + `\b`).MatchString(doc) {
			t.Errorf("load_ledger.status's doc does not name %q: %s", s, doc)
		}
	}
}
