package snowflake

import (
	"context"
	"os"

	"github.com/synctrack/synctrack/dialects"
	"github.com/synctrack/synctrack/warehouse"
)

// Engine describes Snowflake for the registry.
func Engine() warehouse.Engine {
	return warehouse.Engine{
		Name:    "snowflake",
		Schemes: []string{"snowflake"},
		Example: "snowflake://USER@ACCOUNT/DATABASE/SCHEMA?warehouse=WH&role=ROLE",
		Dialect: dialects.Snowflake{},
		Check:   check,
		Open:    open,
		// Both modes read the bucket through a stage: see checkBucket.
		CheckBucket: checkBucket,
		Sample:      (*Warehouse)(nil),
	}
}

// check reads the URL with a stand-in password: it reads no key file and
// needs no secret, but the driver still validates everything else.
func check(raw string) error {
	_, err := ParseURL(raw, func(k string) string {
		if k == EnvPassword {
			return "stand-in"
		}
		return ""
	})
	return err
}

// open reads the URL, with secrets from o.Env (SYNCTRACK_SNOWFLAKE_*), and
// connects lazily: the first statement logs in. No error repeats the URL,
// which may hold a password.
func open(ctx context.Context, raw string, o warehouse.Options) (warehouse.Warehouse, error) {
	env := o.Env
	if env == nil {
		env = os.Getenv
	}
	c, err := ParseURL(raw, env)
	if err != nil {
		return nil, warehouse.Wrap(err, warehouse.Config, "bad_url", "")
	}
	return Open(ctx, c, Options{Logger: o.Logger, Now: o.Now, ReadOnly: o.ReadOnly})
}
