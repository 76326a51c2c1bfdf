package snowflake

import (
	"strings"
	"testing"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/synctrack/synctrack/warehouse"
)

func TestClassify(t *testing.T) {
	w := &Warehouse{}
	for _, c := range []struct {
		num    int
		state  string
		msg    string
		class  warehouse.Class
		reason string
	}{
		{390100, "08004", "Incorrect username or password was specified.", warehouse.Config, "login"},
		{390144, "08004", "JWT token is invalid.", warehouse.Config, "login"},
		{3001, "42501", "SQL access control error: Insufficient privileges to operate on schema 'SYNCTRACK'", warehouse.Config, "permission"},
		{606, "57P03", "No active warehouse selected in the current session.", warehouse.Config, "no_warehouse"},
		{0, "", "Warehouse 'LOAD_WH' cannot be resumed because resource monitor 'RM' has exceeded its quota.", warehouse.Resource, "quota"},
		{2003, "42S02", "SQL compilation error: Stage 'X' does not exist or not authorized.", warehouse.Config, "missing"},
		{1003, "42000", "SQL compilation error: syntax error line 1 at position 0", warehouse.Config, "sql"},
		{100069, "22000", "Error parsing the parquet file", warehouse.Data, "bad_object"},
		// A file's values quoted are the file's, whatever they say.
		{100038, "22018", "Numeric value 'warehouse suspended: lock wait, insufficient privileges' is not recognized", warehouse.Data, "bad_object"},
		{100035, "22007", "Timestamp 'HTTP Status: 503. Hanging?' is not recognized", warehouse.Data, "bad_object"},
		{625, "57014", "Statement has locked table", warehouse.Transient, "unavailable"},
		{sf.ErrFailedToPostQuery, "08006", "failed to POST. HTTP: 503", warehouse.Transient, "unavailable"},
		{0, "", "timeout after 0s and 2 attempts. HTTP Status: 503. Hanging?", warehouse.Transient, "unavailable"},
	} {
		err := w.classify(&sf.SnowflakeError{Number: c.num, SQLState: c.state, Message: c.msg}, "SELECT 1")
		reason, _ := warehouse.Explain(err)
		if warehouse.ClassOf(err) != c.class || reason != c.reason {
			t.Errorf("%d %q: got %s %s, want %s %s", c.num, c.msg, warehouse.ClassOf(err), reason, c.class, c.reason)
		}
		if code(err) != c.num {
			t.Errorf("%d: the error lost its number: %v", c.num, err)
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

// TestNoSecretNamesTheEnvironment: a URL with a user and no secret in the
// environment is refused naming the variables a secret goes in, not with
// the driver's "260002: password is empty", which says nowhere to put one.
func TestNoSecretNamesTheEnvironment(t *testing.T) {
	_, err := ParseURL("snowflake://LOADER@myorg-acct/ANALYTICS/synctrack?warehouse=WH", func(string) string { return "" })
	if err == nil {
		t.Fatal("a URL without a secret was taken")
	}
	for _, want := range []string{EnvPassword, EnvPrivateKey, EnvToken} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	// A secret in the environment is enough.
	if _, err := ParseURL("snowflake://LOADER@myorg-acct/ANALYTICS/synctrack?warehouse=WH",
		func(k string) string { return map[string]string{EnvPassword: "pw"}[k] }); err != nil {
		t.Errorf("with %s set: %v", EnvPassword, err)
	}
}

// A command that loads nothing (query, report) says every hint as its own:
// no next load (warehouse.NotLoading).
func TestHintsOfCommandsThatLoadNothing(t *testing.T) {
	for _, p := range warehouse.LoadOnlyHints(errorRules) {
		t.Error(p)
	}
}

// A ; between parameters is refused naming the parameter, and the value,
// which may be a passcode, is not repeated.
func TestSemicolonParameterNamed(t *testing.T) {
	_, err := ParseURL("snowflake://u@acct/db/s?passcode=Pa55code;warehouse=WH", func(k string) string { return map[string]string{EnvPassword: "pw"}[k] })
	if err == nil || !strings.Contains(err.Error(), `parameter "passcode": a ; does not separate parameters`) ||
		strings.Contains(err.Error(), "Pa55code") {
		t.Fatalf("error %v", err)
	}
}
