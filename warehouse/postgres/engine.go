package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// PasswordEnv holds the password when neither PGPASSWORD nor ~/.pgpass does.
const PasswordEnv = "SYNCTRACK_POSTGRES_PASSWORD"

// Engine describes PostgreSQL for the registry.
func Engine() warehouse.Engine {
	return warehouse.Engine{
		Name:    "postgres",
		Schemes: []string{"postgres", "postgresql"},
		Example: "postgres://USER@HOST:5432/DB?schema=synctrack",
		Dialect: dialects.Postgres{},
		Check:   func(raw string) error { _, err := ParseURL(raw, nil); return err },
		Open: func(ctx context.Context, raw string, o warehouse.Options) (warehouse.Warehouse, error) {
			c, err := ParseURL(raw, o.Env)
			if err != nil {
				return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
			}
			c.ReadOnly, c.Logger, c.LockWait = o.ReadOnly, o.Logger, o.LockWait
			return Open(ctx, c, o.Now)
		},
		Identity: func(raw string) string {
			if id, ok := Identity(raw); ok {
				return id
			}
			return raw
		},
		CheckSchema: checkSchemaName,
		Sample:      (*Warehouse)(nil),
	}
}

// Config is what a postgres:// URL says.
type Config struct {
	// Pool is pgx's configuration of the URL less synctrack's parameters:
	// every pgx option works (sslmode, host=/unix/socket/dir, target_session_attrs,
	// connect_timeout, ...); any other parameter is a server setting.
	Pool     *pgxpool.Config
	Schema   string // default "synctrack"
	ReadOnly bool
	Logger   *slog.Logger // statements at debug level; none when nil
	// LockWait is how long a load waits for another load of the schema to
	// let its load lock go (loadlock.go) before failing as locked.
	LockWait time.Duration
}

// ownParams are the URL parameters synctrack takes for itself; pgx never sees them.
var ownParams = []string{"schema"}

var errPasswordInURL = errors.New("no password in the URL or the config file: " +
	"set PGPASSWORD, a ~/.pgpass line, or " + PasswordEnv)

// ParseURL reads postgres://USER@HOST:PORT/DB?schema=NAME&<pgx options>. A
// password in it is refused (and never repeated). env looks up
// SYNCTRACK_POSTGRES_PASSWORD (os.Getenv when nil); pgx itself reads
// PGPASSWORD, the other PG* variables and ~/.pgpass.
func ParseURL(raw string, env func(string) string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return Config{}, fmt.Errorf("warehouse URL: want postgres://USER@HOST:5432/DB?schema=synctrack")
	}
	if _, has := u.User.Password(); has {
		return Config{}, errPasswordInURL
	}
	// Not u.Query(): it drops a pair it cannot read (schema=x;y, %zz), and
	// the load would go to the default schema without a word.
	q, err := warehouse.URLParams(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("warehouse URL %s: its parameters do not parse: %v", u.Redacted(), err)
	}
	if q.Has("password") {
		return Config{}, errPasswordInURL
	}
	if q.Has("sslpassword") {
		// The client key's passphrase: commands print the URL (serve's
		// first line, a missing schema's error).
		return Config{}, fmt.Errorf("%w (the TLS key's passphrase: set PGSSLPASSWORD)", errPasswordInURL)
	}
	c := Config{Schema: "synctrack"}
	if len(q["schema"]) > 1 {
		return Config{}, fmt.Errorf("warehouse URL %s: schema= is given %d times", u.Redacted(), len(q["schema"]))
	}
	if s := q.Get("schema"); s != "" {
		c.Schema = s
	} else if q.Has("schema") {
		return Config{}, fmt.Errorf("warehouse URL %s: schema= is empty", u.Redacted())
	}
	if err := checkSchemaName(c.Schema); err != nil {
		return Config{}, fmt.Errorf("warehouse URL %s: schema=%q: %w", u.Redacted(), c.Schema, err)
	}
	for _, p := range ownParams {
		q.Del(p)
	}
	u.RawQuery = q.Encode()
	pc, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return Config{}, fmt.Errorf("warehouse URL %s: %s (params other than %s are pgx's)", u.Redacted(),
			redactParseError(err), strings.Join(ownParams, ", "))
	}
	if env == nil {
		env = os.Getenv
	}
	if pw := env(PasswordEnv); pw != "" {
		pc.ConnConfig.Password = pw
	}
	c.Pool = pc
	return c, nil
}

// checkSchemaName refuses what PostgreSQL would refuse or change: a NUL
// byte, the pg_ prefix it reserves, and a name past NAMEDATALEN-1 bytes,
// which it cuts to 63 without a word (two long names would share a schema).
func checkSchemaName(s string) error {
	switch {
	case strings.ContainsRune(s, 0):
		return errors.New("PostgreSQL names hold no NUL byte")
	case strings.HasPrefix(s, "pg_"):
		return errors.New("PostgreSQL reserves names beginning pg_")
	case len(s) > 63:
		return fmt.Errorf("%d bytes; PostgreSQL keeps 63 of a name", len(s))
	}
	return nil
}

// redactParseError keeps pgx's reason but not the connection string it may quote.
func redactParseError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "cannot parse") {
		return "cannot parse: " + msg[i+2:]
	}
	return msg
}
