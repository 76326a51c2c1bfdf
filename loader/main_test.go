package loader

import (
	"os"
	"testing"

	"github.com/synctrack/synctrack/internal/memguard"
)

// The loader's tests use well under 1 GiB; past 8 GiB something ran away
// (CI once saw this binary killed at 24 GB): say where, and stop.
func TestMain(m *testing.M) {
	memguard.Watch(8 << 30)
	os.Exit(m.Run())
}
