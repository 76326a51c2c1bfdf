package snowflake

import (
	"strings"
	"testing"

	sf "github.com/snowflakedb/gosnowflake"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		num       int
		state     string
		msg       string
		class     Class
		retryable bool
	}{
		{390100, "08004", "Incorrect username or password was specified.", ClassAuth, false},
		{390144, "08004", "JWT token is invalid.", ClassAuth, false},
		{3001, "42501", "SQL access control error: Insufficient privileges to operate on schema 'SYNCTRACK'", ClassPermission, false},
		{606, "57P03", "No active warehouse selected in the current session.", ClassWarehouse, false},
		{0, "", "Warehouse 'LOAD_WH' cannot be resumed because resource monitor 'RM' has exceeded its quota.", ClassWarehouse, true},
		{2003, "42S02", "SQL compilation error: Stage 'X' does not exist or not authorized.", ClassMissing, false},
		{1003, "42000", "SQL compilation error: syntax error line 1 at position 0", ClassSQL, false},
		{100069, "22000", "Error parsing the parquet file", ClassData, false},
		{625, "57014", "Statement has locked table", ClassTransient, true},
		{sf.ErrFailedToPostQuery, "08006", "failed to POST. HTTP: 503", ClassTransient, true},
	} {
		e := Classify(&sf.SnowflakeError{Number: c.num, SQLState: c.state, Message: c.msg})
		if e.Class != c.class || e.Retryable != c.retryable {
			t.Errorf("%d %q: got %s retryable=%v, want %s retryable=%v", c.num, c.msg, e.Class, e.Retryable, c.class, c.retryable)
		}
	}
}

// TestSecretsNeverInErrors: a password in the URL or the environment appears
// in no error text, even when the driver rejects the DSN.
func TestSecretsNeverInErrors(t *testing.T) {
	env := map[string]string{EnvPassword: "env-Pa55word"}
	_, err := ParseURL("snowflake://u:url-Pa55word@acct/db/s?loginTimeout=notanumber", func(k string) string { return env[k] })
	if err == nil || strings.Contains(err.Error(), "url-Pa55word") {
		t.Fatalf("error %v", err)
	}
	w := &Warehouse{c: Config{secrets: []string{"env-Pa55word"}}}
	e := w.classify(&sf.SnowflakeError{Number: 390100, Message: "bad password env-Pa55word"}, "SELECT 1")
	if strings.Contains(e.Error(), "env-Pa55word") || !strings.Contains(e.Error(), "ALTER USER") {
		t.Fatalf("error %q", e)
	}
}
