package snowflake

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/synctrack/synctrack/warehouse/snowflake/sffake"
)

// The driver logs every error it meets to stderr itself (logrus text), ahead
// of synctrack's own classified message: a second copy, and a line that is
// not JSON under --log-format json. A warehouse turns that log off.
func TestDriverLogsNothing(t *testing.T) {
	var buf bytes.Buffer
	sf.GetLogger().SetOutput(&buf)
	t.Cleanup(func() { sf.GetLogger().SetOutput(os.Stderr) })
	f := sffake.New(t)
	f.Fail(sffake.Missing("RUN_OUTCOME_COUNTS", `"SYNCTRACK"."RUN_OUTCOME_COUNTS"`, -1))
	w := openFake(t, f, "")
	rows, err := w.Query(context.Background(), `SELECT * FROM "SYNCTRACK"."RUN_OUTCOME_COUNTS"`, nil)
	if err == nil {
		rows.Close()
		t.Fatal("the scripted failure did not happen")
	}
	if !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error %v", err)
	}
	if buf.Len() > 0 {
		t.Errorf("the driver logged:\n%s", buf.String())
	}
}
