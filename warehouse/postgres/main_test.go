package postgres_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/synctrack/synctrack/internal/pgtest"
)

// One PostgreSQL server for the package's tests; each test has a schema.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func fmtAny(v any) string { return fmt.Sprint(v) }
