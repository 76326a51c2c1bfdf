package bigquery

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/synctrack/synctrack/warehouse"
)

// A credentials_file= that is missing, a folder, or not a key is the user's
// to fix (exit 2), named, not "the network did not answer; try again".
func TestBadCredentialsFileIsConfig(t *testing.T) {
	t.Setenv("BIGQUERY_EMULATOR_HOST", "")
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("not json"), 0o600)
	for _, f := range []string{filepath.Join(dir, "missing.json"), dir, garbage} {
		_, err := Open(context.Background(), Config{Project: "p", Dataset: "d", CredentialsFile: f, ReadOnly: true}, fixedNow)
		if err == nil {
			t.Fatalf("credentials_file=%s: opened", f)
		}
		if warehouse.ClassOf(err) != warehouse.Config || !strings.Contains(err.Error(), "credentials_file") {
			t.Errorf("credentials_file=%s: class %s: %v", f, warehouse.ClassOf(err), err)
		}
	}
}
