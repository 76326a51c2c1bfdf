package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/loader"
)

// note says one of the command's notes on stderr (an export written, a
// report stopped at --limit, no record matched): line, as ever, under
// --log-format text; under json a log record of level, msg and attrs,
// since a plain line in the JSON stream is one a machine reading it
// cannot parse.
func note(cmd *cobra.Command, level slog.Level, line, msg string, attrs ...any) {
	if log := jsonLog(cmd); log != nil {
		log.Log(context.Background(), level, msg, attrs...)
		return
	}
	fmt.Fprintln(cmd.ErrOrStderr(), line)
}

// jsonLog is the command's logger on its stderr when --log-format is
// json, nil when it is not.
func jsonLog(cmd *cobra.Command) *slog.Logger {
	if !logsJSON(cmd) {
		return nil
	}
	if log, err := newLogger(cmd, cmd.ErrOrStderr()); err == nil {
		return log
	}
	// A --log-level the command's logger refuses, which ended the
	// command before any note (earlyLogger reads it as info).
	return earlyLogger(cmd.Root(), cmd.ErrOrStderr())
}

// logsJSON says the command's --log-format is json.
func logsJSON(cmd *cobra.Command) bool {
	f, _ := cmd.Flags().GetString("log-format")
	return f == "json"
}

// progressFor is what --progress shows of a listing and a load: a line
// rewritten on stderr, or with --log-format json records on log (the
// command's logger) at a log's pace (progressLogger).
func progressFor(cmd *cobra.Command, log *slog.Logger) func(loader.Progress) {
	if logsJSON(cmd) {
		return progressLogger(log, time.Now)
	}
	return progressPrinter(os.Stderr, time.Now())
}

// progressLogEvery is how often at most --progress logs under --log-format
// json. The terminal's line is redrawn every second of a listing and after
// each batch; a record each would bury the log in them, where all a reader
// needs is to see that a long load is moving.
const progressLogEvery = 10 * time.Second

// progressLogger logs a load's progress on log: a record once
// progressLogEvery has passed since the last (since the start, for the
// first), and one as the listing and the records files end when one was
// logged for them. A load done sooner logs none: its "load finished" (or
// plan's output) says it all.
func progressLogger(log *slog.Logger, now func() time.Time) func(loader.Progress) {
	start := now()
	last := start
	var listing, records bool // a record was logged for them
	return func(p loader.Progress) {
		t := now()
		due := t.Sub(last) >= progressLogEvery
		rate := func() []any {
			return []any{"files_done", p.FilesDone, "files_total", p.FilesTotal, "rows", p.Rows,
				"rows_per_sec", int64(float64(p.Rows) / max(t.Sub(start).Seconds(), 0.001))}
		}
		switch {
		case p.Listing:
			if due {
				last, listing = t, true
				log.Info("listing the bucket", "listed", p.Listed)
			}
		case p.FilesTotal == 0:
			if listing {
				last = t
				log.Info("listed the bucket", "listed", p.Listed)
			}
		case p.FilesDone == p.FilesTotal:
			if records {
				last = t
				log.Info("loaded the records files", rate()...)
			}
		case due:
			last, records = t, true
			log.Info("loading the records files", rate()...)
		}
	}
}
