package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

func newStatusCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "status --warehouse URL",
		Short: "Summarise the load ledger: loaded, failed and quarantined (with errors), expired by retention, deleted from the bucket, when an object last loaded",
		Long: `Summarise load_ledger: objects and rows by kind (records, metadata, fact,
ignored) and status, when an object last loaded, what retention expired and what
was deleted from the bucket, then the failed and quarantined objects with their
errors, quarantined first (--errors sets how many; a key as listed is what
synctrack retry takes). It reads the warehouse only, never the bucket, and
writes nothing.

Exit 0 whatever the ledger holds, failed objects included (the exit code of
synctrack load says whether a load failed); 2 for a DuckDB file or a PostgreSQL
schema nothing was loaded into; 3 when the warehouse is unavailable (a lock
held, the network).

Examples:
  synctrack status --warehouse duckdb://./sync-logs.duckdb
  synctrack status --warehouse duckdb://./sync-logs.duckdb --errors -1`,
		Args: noArgs,
		RunE: runStatus,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	c.Flags().Int("errors", 20, "how many failed objects to list (0: none, only how many there are; -1: all)")
	return c
}

func runStatus(cmd *cobra.Command, _ []string) error {
	ctx := cmd.Context()
	// -1 lists every failed object (the keys for synctrack retry); other
	// negatives mean nothing.
	n, _ := cmd.Flags().GetInt("errors")
	if n < -1 {
		return usageError("--errors %d: want 0 or more, or -1 for all", n)
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	w, err := openReader(cmd, whURL)
	if err != nil {
		return err
	}
	defer w.Close()
	rows, err := w.Ledger(ctx)
	if err != nil {
		return fmt.Errorf("read ledger: %w", err)
	}
	printStatus(cmd.OutOrStdout(), rows, n)
	return nil
}

func printStatus(w io.Writer, rows []warehouse.LedgerEntry, maxErrors int) {
	type tally struct {
		objects int
		rows    int64
	}
	by := map[string]*tally{}
	var last time.Time
	var failed []warehouse.LedgerEntry
	expired, kept := 0, ""
	var removed tally // loaded versions deleted from the bucket, their rows taken out
	dropped := 0      // failed or quarantined versions deleted from the bucket
	for _, e := range rows {
		if e.Status == warehouse.StatusExpired {
			expired++
			kept = max(kept, keptFrom(e.Error))
		}
		if e.RowsRemoved() {
			removed.objects++
			removed.rows += e.Rows
		} else if e.Status == warehouse.StatusDeleted {
			dropped++
		}
		k := string(e.Kind) + " " + e.Status
		if by[k] == nil {
			by[k] = &tally{}
		}
		by[k].objects++
		by[k].rows += e.Rows
		if e.LoadedAt != nil && e.LoadedAt.After(last) {
			last = *e.LoadedAt
		}
		if e.Status == warehouse.StatusFailed || e.Status == warehouse.StatusQuarantined {
			failed = append(failed, e)
		}
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "%-22s %10s %12s\n", "KIND STATUS", "OBJECTS", "ROWS")
	for _, k := range keys {
		fmt.Fprintf(w, "%-22s %10d %12d\n", k, by[k].objects, by[k].rows)
	}
	if last.IsZero() {
		fmt.Fprintln(w, "last object loaded: never")
	} else {
		fmt.Fprintf(w, "last object loaded: %s\n", last.UTC().Format(time.RFC3339))
	}
	if expired > 0 {
		fmt.Fprintf(w, "retention: %d records files expired (rows deleted; kept in the ledger, never loaded again); oldest day kept at the last pass: %s\n",
			expired, kept)
	}
	if removed.objects > 0 {
		// A deleted row keeps the rows its version loaded: say they are
		// gone, as the expired line does, not leave them to read as loaded.
		fmt.Fprintf(w, "deleted from the bucket: %d loaded fact files, their %d rows taken out of the fact tables (rebuilt without them)\n",
			removed.objects, removed.rows)
	}
	if dropped > 0 {
		fmt.Fprintf(w, "deleted from the bucket: %d failed or quarantined objects (no longer retried nor reported)\n", dropped)
	}
	if len(failed) == 0 {
		return
	}
	sort.Slice(failed, func(i, j int) bool {
		if failed[i].Status != failed[j].Status {
			return failed[i].Status > failed[j].Status // quarantined first: they need a person
		}
		return failed[i].Key < failed[j].Key
	})
	objects := "objects"
	if len(failed) == 1 {
		objects = "object"
	}
	fmt.Fprintf(w, "%d failed %s (failed: retried on the next load; quarantined: not read again until synctrack retry):\n", len(failed), objects)
	for i, e := range failed {
		if i == maxErrors {
			fmt.Fprintf(w, "  ... and %d more\n", len(failed)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s (attempts %d): %s\n", e.Status, export.EscapeControls(e.Key), e.Attempts, export.EscapeControls(e.Error))
	}
}

// keptFrom reads the oldest day kept from an expired ledger row's note
// (warehouse.Retention.Note: "... rows before 2026-01-07 deleted").
func keptFrom(note string) string {
	_, after, ok := strings.Cut(note, "rows before ")
	if !ok || len(after) < len(time.DateOnly) {
		return "unknown"
	}
	return after[:len(time.DateOnly)]
}
