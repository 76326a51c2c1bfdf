package snowflake

import (
	"fmt"
	"strconv"
	"strings"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Config is what a snowflake:// URL says: the driver's own DSN, less the
// parameters that are synctrack's.
type Config struct {
	Driver *sf.Config
	Schema string   // default "synctrack"
	Stage  []string // the external stage's name, parts of a dotted name
	// Integration is the storage integration a --setup stage is created with.
	Integration string
	// AutoRefresh (auto_refresh=true) has --setup turn on the external table's
	// AUTO_REFRESH and report the notification channel the bucket must notify.
	AutoRefresh bool
	secrets     []string
}

// Our own URL parameters, removed before the driver sees the DSN.
const (
	paramStage       = "stage"
	paramIntegration = "storage_integration"
	paramAutoRefresh = "auto_refresh"
)

// ParseURL reads snowflake://DSN, where DSN is gosnowflake's grammar:
// user[:pass]@account/db/schema?warehouse=..&role=.. or
// user@host:port/db/schema?account=..&protocol=http. Secrets come from env
// (see the Env* names); ?stage= names an existing stage (default
// SCHEMA.synctrack_stage) and ?storage_integration= the integration --setup
// creates the stage with.
func ParseURL(raw string, env func(string) string) (Config, error) {
	dsn, ok := strings.CutPrefix(raw, "snowflake://")
	if !ok {
		return Config{}, fmt.Errorf("warehouse URL: want snowflake://user@account/db/schema?warehouse=..")
	}
	var c Config
	base, query, _ := strings.Cut(dsn, "?")
	q, err := warehouse.URLParams(query)
	if err != nil {
		return Config{}, fmt.Errorf("warehouse URL: bad parameters: %v", redactErr(err, dsn))
	}
	if err := checkParams(q); err != nil {
		return Config{}, err
	}
	if user, ok := userInfo(base); ok && strings.Contains(user, ":") {
		return Config{}, fmt.Errorf("warehouse URL: no password in the URL, where logs and process lists show it; set %s (or %s, %s)",
			EnvPassword, EnvPrivateKey, EnvToken)
	}
	stage := q.Get(paramStage)
	c.Integration = q.Get(paramIntegration)
	if v := q.Get(paramAutoRefresh); v != "" {
		if c.AutoRefresh, err = strconv.ParseBool(v); err != nil {
			return Config{}, fmt.Errorf("warehouse URL: auto_refresh=%q: want true or false", v)
		}
	}
	q.Del(paramStage)
	q.Del(paramIntegration)
	q.Del(paramAutoRefresh)
	if env == nil {
		env = func(string) string { return "" }
	}
	cred, err := readCredentials(env)
	if err != nil {
		return Config{}, err
	}
	// The driver validates while it parses; give it a stand-in where the
	// secret comes from the environment, and set the real one after.
	user, hasUser := userInfo(base)
	switch {
	case cred.key != nil:
		q.Set("authenticator", "SNOWFLAKE_JWT")
	case cred.token != "":
		q.Set("authenticator", "OAUTH")
	case cred.password != "" && hasUser && !strings.Contains(user, ":"):
		base = strings.Replace(base, user+"@", user+":x@", 1)
	}
	if q.Get("TIMEZONE") == "" && q.Get("timezone") == "" {
		q.Set("TIMEZONE", "UTC") // timestamps without a zone are UTC, as on DuckDB
	}
	dsn = base
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	cfg, err := sf.ParseDSN(dsn)
	if err != nil {
		if noSecret(err) {
			// The driver says "password is empty": the secret is ours to
			// read, from the environment, so name where it goes.
			return Config{}, fmt.Errorf("warehouse URL: no secret to log in with: set %s, %s or %s (%s); the URL holds none",
				EnvPassword, EnvPrivateKey, EnvToken, EnvTokenFile)
		}
		return Config{}, fmt.Errorf("warehouse URL: %v", redactErr(err, dsn))
	}
	switch {
	case cred.key != nil:
		cfg.PrivateKey = cred.key
	case cred.token != "":
		cfg.Token = cred.token
	case cred.password != "" && hasUser && !strings.Contains(user, ":"):
		cfg.Password = cred.password
	}
	c.secrets = append(cred.secrets(), cfg.Password)
	c.Driver = cfg
	c.Schema = cfg.Schema
	if c.Schema == "" {
		c.Schema = "synctrack"
	}
	// Names the user typed are resolved here, as Snowflake resolves them;
	// the dialect quotes the resolved parts exactly (Snowflake.Path).
	c.Stage = []string{dialects.SnowflakeName(c.Schema), "SYNCTRACK_STAGE"}
	if stage != "" {
		c.Stage = strings.Split(stage, ".")
		for i, p := range c.Stage {
			c.Stage[i] = bareName(p)
		}
	}
	c.Integration = bareName(c.Integration)
	return c, nil
}

// bareName resolves a name the user typed as Snowflake resolves it unquoted:
// a plain identifier is upper-cased; "Quoted" keeps its case (and "" is one
// quote); anything else is taken as written.
func bareName(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return dialects.SnowflakeName(s)
}

// userInfo returns the user[:pass] part before the last @ of the host part.
func userInfo(base string) (string, bool) {
	host, _, _ := strings.Cut(base, "/")
	i := strings.LastIndex(host, "@")
	if i < 0 {
		return "", false
	}
	return host[:i], true
}
