package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/internal/cputime"
	"github.com/synctrack/synctrack/loader"
	"github.com/synctrack/synctrack/warehouse"
	"github.com/synctrack/synctrack/warehouse/engines"
)

// benchTarget opens a fresh, empty warehouse for each phase and removes it
// after.
type benchTarget struct {
	name string
	open func(ctx context.Context, phase string) (warehouse.Warehouse, error)
	// closeTimed: closing the warehouse is part of the load (the embedded
	// engine's close writes what its log holds into the file, as a user's
	// synctrack load does before it exits), so measure times it and clear
	// gets the warehouse closed.
	closeTimed bool
	clear      func(ctx context.Context, w warehouse.Warehouse, phase string) error
}

// benchTargetFor is the embedded engine in files under dir when raw is
// empty, else raw's engine, which must be able to drop its schema; that
// schema must hold no ledger yet (bench drops it: it must be bench's own).
func benchTargetFor(ctx context.Context, raw, dir string) (benchTarget, error) {
	if raw == "" {
		e := engines.Embedded()
		path := func(phase string) string { return filepath.Join(dir, phase+".db") }
		return benchTarget{name: e.Name,
			open: func(ctx context.Context, phase string) (warehouse.Warehouse, error) {
				_, w, err := engines.Open(ctx, e.Local(path(phase)), warehouse.Options{})
				return w, err
			},
			closeTimed: true,
			clear: func(_ context.Context, _ warehouse.Warehouse, phase string) error {
				os.Remove(path(phase))
				os.Remove(path(phase) + ".wal")
				return nil
			}}, nil
	}
	e, w, err := engines.Open(ctx, raw, warehouse.Options{})
	if err != nil {
		return benchTarget{}, err
	}
	defer w.Close()
	if _, ok := w.(warehouse.Dropper); !ok {
		return benchTarget{}, usageError("--warehouse: bench cannot empty a %s warehouse; the engines it can use are %s",
			e.Name, strings.Join(engines.With[warehouse.Dropper](), ", "))
	}
	if l, err := w.Ledger(ctx); err != nil || len(l) > 0 {
		return benchTarget{}, usageError("--warehouse: its schema holds a ledger (%d rows, %v): bench drops its schema "+
			"after each phase, so give it one of its own", len(l), err)
	}
	return benchTarget{name: e.Name,
		open: func(ctx context.Context, _ string) (warehouse.Warehouse, error) {
			_, w, err := engines.Open(ctx, raw, warehouse.Options{})
			return w, err
		},
		clear: func(ctx context.Context, w warehouse.Warehouse, _ string) error {
			defer w.Close()
			return w.(warehouse.Dropper).DropSchema(ctx)
		}}, nil
}

// measure runs one phase against a fresh warehouse and records its time and
// the process's peak RSS while it ran (opening the warehouse included, and
// closing it where closeTimed).
func measure(ctx context.Context, t benchTarget, phase string, f func(warehouse.Warehouse) (int64, error)) (benchResult, error) {
	resetPeakRSS()
	start, cpu := time.Now(), cputime.Process()
	w, err := t.open(ctx, phase)
	if err != nil {
		return benchResult{}, err
	}
	rows, err := f(w)
	if t.closeTimed {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	r := benchResult{rows: rows, elapsed: time.Since(start), cpu: cputime.Process() - cpu, rss: peakRSS()}
	// A phase the engine cannot run still says why clearing failed.
	if cerr := t.clear(ctx, w, phase); cerr != nil && (err == nil || errors.Is(err, errNoJSONCeiling) || errors.Is(err, errNoCountsSkip)) {
		err = cerr
	}
	return r, err
}

func ceilingLoad(ctx context.Context, engine string, w warehouse.Warehouse, files []string) (int64, error) {
	b, ok := w.(warehouse.Baseline)
	if !ok {
		return 0, fmt.Errorf("the %s engine has no baseline load", engine)
	}
	return b.BaselineLoad(ctx, files)
}

var (
	errNoJSONCeiling = errors.New("no JSON ceiling")
	errNoCountsSkip  = errors.New("no load without the counts")
)

// jsonCeilingLoad is the engine's bare load with the payload stored as its
// JSON type (warehouse.JSONBaseline), errNoJSONCeiling for an engine
// without one.
func jsonCeilingLoad(ctx context.Context, w warehouse.Warehouse, files []string) (int64, error) {
	b, ok := w.(warehouse.JSONBaseline)
	if !ok {
		return 0, errNoJSONCeiling
	}
	return b.JSONBaselineLoad(ctx, files)
}

func synctrackLoad(cmd *cobra.Command, w warehouse.Warehouse, bucketDir string) (int64, error) {
	ctx := cmd.Context()
	b, root, err := openBucket(ctx, "file://"+filepath.ToSlash(bucketDir), nil)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	rep, err := loader.New(b, root, w, loader.Options{}).Load(ctx)
	if err != nil {
		return 0, err
	}
	if len(rep.Failed) > 0 {
		return 0, fmt.Errorf("bench load: %d failures, first %s: %v", len(rep.Failed), rep.Failed[0].Key, rep.Failed[0].Err)
	}
	return rep.Rows, nil
}

// noCountsLoad is synctrackLoad with the per-run counts left out
// (warehouse.CountsSkipper): the before of what writing them costs.
func noCountsLoad(cmd *cobra.Command, w warehouse.Warehouse, bucketDir string) (int64, error) {
	s, ok := w.(warehouse.CountsSkipper)
	if !ok {
		return 0, errNoCountsSkip
	}
	s.SkipCounts()
	return synctrackLoad(cmd, w, bucketDir)
}

// resetPeakRSS clears the kernel's high-water mark of this process (Linux).
func resetPeakRSS() {
	debug.FreeOSMemory() // what earlier phases left on the Go heap is not this phase's
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS reads VmHWM from /proc/self/status (Linux); 0 elsewhere.
func peakRSS() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
