package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/nearest"
)

// envOwn are the SYNCTRACK_ variables that are no flag's: secrets, the
// daemon's targets, and the switches of the project's own tests.
var envOwn = []string{"SYNCTRACK_WEB_TOKEN", "SYNCTRACK_WEBHOOK_SECRET", "SYNCTRACK_TARGETS",
	"SYNCTRACK_POSTGRES_PASSWORD", "SYNCTRACK_SNOWFLAKE_PASSWORD", "SYNCTRACK_SNOWFLAKE_TOKEN",
	"SYNCTRACK_SNOWFLAKE_TOKEN_FILE", "SYNCTRACK_SNOWFLAKE_PRIVATE_KEY_FILE",
	"SYNCTRACK_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"}

// warnEnvTypos says on w, or as a log record with a JSON log (log not
// nil: earlyLogger), which SYNCTRACK_ variables of env are a letter or
// two from a known one and no setting themselves (SYNCTRACK_WAREHOSE):
// such a variable is ignored, and a cron job given one loaded into the
// default warehouse without a word. Only near misses are named: the
// environment may hold variables of other tools or versions, which are
// none of synctrack's business. Names of 5 letters or fewer after the
// prefix are left out (one edit from N, the report's flag, is most names).
func warnEnvTypos(root *cobra.Command, env []string, w io.Writer, log *slog.Logger) {
	known := map[string]bool{}
	for _, n := range envOwn {
		known[n] = true
	}
	for k := range flagKeys(root) {
		known[envName(k)] = true
	}
	names := make([]string, 0, len(known))
	for n := range known {
		if len(n) > len("SYNCTRACK_")+5 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "SYNCTRACK_") || known[name] {
			continue
		}
		best := nearest.Word(name, names, 2)
		switch {
		case best == "":
		case log != nil:
			log.Warn("a SYNCTRACK_ variable is no setting of synctrack's and is ignored", "variable", name, "did_you_mean", best)
		default:
			fmt.Fprintf(w, "synctrack: %s is no setting of synctrack's and is ignored (did you mean %s?)\n", name, best)
		}
	}
}

// warnEnv is warnEnvTypos over this process's environment, as the log
// format asks: said before the command makes its logger, it was a plain
// line in a --log-format json stream.
func warnEnv(cmd *cobra.Command) {
	warnEnvTypos(cmd.Root(), os.Environ(), cmd.ErrOrStderr(), earlyLogger(cmd.Root(), cmd.ErrOrStderr()))
}
