package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

const retryHelp = `Put quarantined objects back in the queue. An object that failed
--quarantine-after times (default 5) is quarantined: loads no longer read it, and
status lists it. Once you have fixed it (or the warehouse it tripped on), retry
makes it failed with no attempts, so the next load reads it again. A new version
of the object (a new etag) needs no retry: it is loaded as new. A key is taken as
it is or as status prints it (a control character as an escape: \t, \x1b).

Examples:
  synctrack retry --warehouse duckdb://./sync-logs.duckdb --all
  synctrack retry --warehouse duckdb://./sync-logs.duckdb sync_tracking_datasets/1001/52275/8867293/records_updated.3.parquet`

func newRetryCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "retry --warehouse URL (KEY... | --all)",
		Short: "Requeue quarantined objects so the next load reads them again",
		Long:  retryHelp,
		RunE:  runRetry,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	addLockWait(c)
	c.Flags().Bool("all", false, "every quarantined object")
	return c
}

func runRetry(cmd *cobra.Command, keys []string) error {
	all, _ := cmd.Flags().GetBool("all")
	if all == (len(keys) > 0) {
		return usageError("give the keys of quarantined objects, or --all (not both)")
	}
	whURL, _ := cmd.Flags().GetString("warehouse")
	w, err := openExisting(cmd, whURL, "nothing to retry")
	if err != nil {
		return err
	}
	defer w.Close()
	keys, notQuarantined, unknown, err := unquarantined(cmd.Context(), w, keys)
	if err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	n, err := w.Requeue(cmd.Context(), keys)
	if err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	// Only mistyped keys: the error says it all, and "0 put back" would
	// read as if something had been done.
	if n > 0 || len(unknown) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "%d quarantined objects put back; the next load reads them again\n", n)
	}
	if len(notQuarantined) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "not quarantined, so not put back (see synctrack status): %s\n", warehouse.SomeKeys(notQuarantined, 10))
	}
	if len(unknown) > 0 {
		// A key mistyped: the user's to fix (exit 2), said after the others
		// were put back.
		return usageError("not in load_ledger, no object has this key (a bucket key, as status lists it): %s", warehouse.SomeKeys(unknown, 10))
	}
	return nil
}

// unquarantined reads keys as status prints them and returns them as the
// ledger has them (ledgerKey), with those of them that have no quarantined
// ledger row, read before Requeue changes them: a key failed but not yet
// quarantined, or loaded, is named rather than counted. unknown are those
// with no ledger row at all: mistyped.
func unquarantined(ctx context.Context, w warehouse.Warehouse, keys []string) (ledger, notQuarantined, unknown []string, err error) {
	for _, k := range keys {
		key, quarantined, err := ledgerKey(ctx, w, k)
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case key == "":
			unknown = append(unknown, k)
			key = k
		case !quarantined:
			notQuarantined = append(notQuarantined, k)
		}
		ledger = append(ledger, key)
	}
	return ledger, notQuarantined, unknown, nil
}

// ledgerKey is the ledger's key for k, as typed or as status prints it:
// status writes a control character in a key as an escape (\n, \x1b,
// export.EscapeControls) and leaves a backslash as it is, so printed text
// may stand for several keys (a backslash and an n, or a newline). The key
// as written comes first; else the ledger's key under the text's start
// (up to its first backslash) whose printed form is the text; else the text
// with its escapes read (\u0009 typed for a tab). "" when none is there.
func ledgerKey(ctx context.Context, w warehouse.Warehouse, k string) (key string, quarantined bool, err error) {
	if found, q, err := hasKey(ctx, w, k); err != nil || found {
		return k, q, err
	}
	if plain, _, escaped := strings.Cut(k, `\`); escaped {
		var keys []string
		status := map[string]bool{}
		err := w.ScanLedger(ctx, plain, func(v warehouse.LedgerVersion) error {
			if export.EscapeControls(v.Key) != k {
				return nil
			}
			if _, seen := status[v.Key]; !seen {
				keys = append(keys, v.Key)
			}
			status[v.Key] = status[v.Key] || v.Status == warehouse.StatusQuarantined
			return nil
		})
		switch {
		case err != nil:
			return "", false, err
		case len(keys) == 1:
			return keys[0], status[keys[0]], nil
		case len(keys) > 1:
			// The user's to resolve (exit 2): trying again reads it the same.
			return "", false, usageError("%s is how status prints %d keys: retry --all puts back every quarantined object", export.EscapeControls(k), len(keys))
		}
	}
	if u, ok := export.UnescapeControls(k); ok && u != k {
		if found, q, err := hasKey(ctx, w, u); err != nil || found {
			return u, q, err
		}
	}
	return "", false, nil
}

// hasKey says whether the ledger has key k, and whether it is quarantined.
func hasKey(ctx context.Context, w warehouse.Warehouse, k string) (found, quarantined bool, err error) {
	err = w.ScanLedger(ctx, k, func(v warehouse.LedgerVersion) error {
		found = found || v.Key == k
		quarantined = quarantined || (v.Key == k && v.Status == warehouse.StatusQuarantined)
		return nil
	})
	return found, quarantined, err
}
