package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/warehouse"
)

const retryHelp = `Put quarantined objects back in the queue. An object that failed
--quarantine-after times (default 5) is quarantined: loads no longer read it, and
status lists it. Once you have fixed it (or the warehouse it tripped on), retry
makes it failed with no attempts, so the next load reads it again. A new version
of the object (a new etag) needs no retry: it is loaded as new.

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
	notQuarantined, unknown, err := unquarantined(cmd.Context(), w, keys)
	if err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	n, err := w.Requeue(cmd.Context(), keys)
	if err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d quarantined objects put back; the next load reads them again\n", n)
	if len(notQuarantined) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "not quarantined, so not put back (see synctrack status): %s\n", someKeys(notQuarantined, 10))
	}
	if len(unknown) > 0 {
		// A key mistyped: the user's to fix (exit 2), said after the others
		// were put back.
		return usageError("not in load_ledger, no object has this key (a bucket key, as status lists it): %s", someKeys(unknown, 10))
	}
	return nil
}

// unquarantined are those of keys with no quarantined ledger row, read
// before Requeue changes them: a key failed but not yet quarantined, or
// loaded, is named rather than counted. unknown are those with no ledger
// row at all: mistyped.
func unquarantined(ctx context.Context, w warehouse.Warehouse, keys []string) (notQuarantined, unknown []string, err error) {
	for _, k := range keys {
		found, quarantined := false, false
		err := w.ScanLedger(ctx, k, func(v warehouse.LedgerVersion) error {
			found = found || v.Key == k
			quarantined = quarantined || (v.Key == k && v.Status == warehouse.StatusQuarantined)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		switch {
		case !found:
			unknown = append(unknown, k)
		case !quarantined:
			notQuarantined = append(notQuarantined, k)
		}
	}
	return notQuarantined, unknown, nil
}

// someKeys lists the first most keys, and how many more there are.
func someKeys(keys []string, most int) string {
	if len(keys) <= most {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:most], ", "), len(keys)-most)
}
