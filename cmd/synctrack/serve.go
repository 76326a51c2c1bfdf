package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/httpserver"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/web"
)

const serveHelp = `Serve read-only web pages over a loaded warehouse: every sync with its latest
run and 30-day charts, the loader's health, a sync's run history, a run's records
(filter by outcome, search by identifier, download as CSV, JSON or parquet) and one
record's history. With --bucket, the home page also counts the files a load would
read (new, changed, to retry), listing the bucket at most once a minute. Pages ask the warehouse with bound parameters only; assets are in
the binary (no network needed); the pages run no JavaScript.

It listens on loopback (127.0.0.1:8090) by default. Any other address needs a
secret: SYNCTRACK_WEB_TOKEN or --token-file. Browsers send it as the password of
basic auth (any user name), scripts as "Authorization: Bearer TOKEN".

Pages:
  /                                         every sync, latest run, loader health
  /syncs/SYNC                               Sync History
  /syncs/SYNC/runs/RUN?outcome=rejected&q=ID the run's records
  /syncs/SYNC/runs/RUN/records.csv          the download (.json, .parquet), same filters
  /records/ID?sync=SYNC                     one record across runs

Examples:
  synctrack serve --warehouse duckdb://./sync-logs.duckdb
  SYNCTRACK_WEB_TOKEN=s3cret synctrack serve --warehouse postgres://synctrack@db/sync --listen 0.0.0.0:8090`

func newServeCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "serve --warehouse URL",
		Short: "Serve the read-only web pages: syncs, runs, records, downloads",
		Long:  serveHelp,
		Args:  noArgs,
		RunE:  runServe,
	}
	c.Flags().String("warehouse", "", warehouseHelp())
	c.Flags().String("listen", "127.0.0.1:8090", "address to listen on; beyond loopback only with a token")
	c.Flags().String("token-file", "", "file holding the pages' secret (else env "+web.TokenEnv+")")
	c.Flags().String("bucket", "", "the bucket loaded into the warehouse: the home page shows the files a load would read (listed at most once a minute)")
	return c
}

func runServe(cmd *cobra.Command, _ []string) error {
	whURL, _ := cmd.Flags().GetString("warehouse")
	addr, _ := cmd.Flags().GetString("listen")
	tokenFile, _ := cmd.Flags().GetString("token-file")
	auth, err := webAuth(tokenFile, "token-file", addr)
	if err != nil {
		return usageError("%v", err)
	}
	log, err := commandLogger(cmd)
	if err != nil {
		return err
	}
	open, closeWH, _, err := webOpener(cmd.Context(), whURL, warehouse.Options{Logger: log, Now: time.Now}, true)
	if err != nil {
		return err
	}
	defer closeWH()
	if err := checkServable(cmd, whURL, open); err != nil {
		return err
	}
	o := web.Options{Open: open, Auth: auth, Logger: log, Now: time.Now}
	if bucket, _ := cmd.Flags().GetString("bucket"); bucket != "" {
		// Refused now, as plan refuses it, rather than on the home page.
		b, _, err := openBucket(cmd.Context(), bucket, log)
		if err != nil {
			return err
		}
		b.Close()
		o.Pending = pendingFiles(bucket, log)
	}
	srv, err := web.New(o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError("listen %s: %v (stop what listens there, or choose another --listen)", addr, err)
	}
	hs := httpserver.New(srv.Handler())
	fmt.Fprintf(cmd.OutOrStdout(), "serving %s on %s\n", whURL, pagesURL(ln.Addr().String()))
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case <-cmd.Context().Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// checkServable refuses at start a warehouse every page would fail on: no
// synctrack schema by the URL's name (a wrong ?schema=), as status and
// records refuse it. A file a load holds right now is not checked: the
// pages say busy until it lets go.
func checkServable(cmd *cobra.Command, raw string, open web.Opener) error {
	q, release, err := open(cmd.Context())
	if err != nil {
		if c := warehouse.ClassOf(err); c == warehouse.Transient || c == warehouse.Resource {
			return nil
		}
		return err
	}
	defer release()
	return checkSchemaOf(cmd, raw, q, q.Schema())
}
