// Package gen writes a realistic synthetic Sync Tracking bucket: records
// parquet files and metadata.json per run under sync_tracking_datasets/, and
// fact tables under metadata/. The output is deterministic for a given
// Options value, and deliberately includes the irregular shapes a loader
// must survive (legacy files, int identifiers, ms and non-UTC timestamps,
// unknown columns, unnumbered file names, hostile payload field names,
// metadata.json key styles, runs referencing destinations facts lack).
package gen

import (
	"fmt"
	"time"
)

// Options sizes and shapes the generated bucket.
type Options struct {
	// Zero values take the defaults 2, 3, 3, 3, 200.
	Orgs, SyncsPerOrg, RunsPerSync, FilesPerRun, RowsPerFile int
	Seed                                                     int64     // same seed, same bytes
	Start                                                    time.Time // first run start; default 2026-01-05T08:00:00Z
	Facts                                                    bool      // write fact tables under metadata/ORG/
	Hostile                                                  bool      // hostile payload field names in one sync
	// Workers bounds concurrent file writes; 0 means GOMAXPROCS.
	Workers int
}

// DefaultStart is the first run start when Options.Start is zero.
var DefaultStart = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// DefaultOptions returns the default sizes with Facts and Hostile on.
func DefaultOptions() Options {
	return Options{Orgs: 2, SyncsPerOrg: 3, RunsPerSync: 3, FilesPerRun: 3,
		RowsPerFile: 200, Seed: 1, Start: DefaultStart, Facts: true, Hostile: true}
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Orgs, 2)
	def(&o.SyncsPerOrg, 3)
	def(&o.RunsPerSync, 3)
	def(&o.FilesPerRun, 3)
	def(&o.RowsPerFile, 200)
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC()
	return o
}

// MaxObjects bounds the objects of one bucket (the files of its Manifest).
// Generate plans every object before it writes the first, and lists each in
// its Manifest: 360 bytes an object when a run has many files, up to 870 when
// each sync has one run of one file (measured), so a bucket at the bound
// plans in under 1 GB. Rows per file cost no memory and are not bounded.
const MaxObjects = 1_000_000

// ErrTooLarge is Generate's error for Options of more than MaxObjects objects.
var ErrTooLarge = fmt.Errorf("more than %d objects", MaxObjects)

// Objects is the number of objects Generate writes for o: a metadata.json
// and FilesPerRun records files per run, and 3 fact tables per org with
// Facts. ok is false when that is more than MaxObjects (n is then 0), so a
// product too large for an int is refused too.
func (o Options) Objects() (n int, ok bool) {
	o = o.withDefaults()
	runs := 1
	for _, f := range []int{o.Orgs, o.SyncsPerOrg, o.RunsPerSync} {
		if f > MaxObjects/runs {
			return 0, false
		}
		runs *= f
	}
	if o.FilesPerRun >= MaxObjects/runs { // runs * (files + 1) > MaxObjects
		return 0, false
	}
	n = runs * (o.FilesPerRun + 1)
	if o.Facts {
		n += 3 * o.Orgs
	}
	if n > MaxObjects {
		return 0, false
	}
	return n, true
}

// Manifest lists what Generate wrote, in a deterministic order.
type Manifest struct {
	Files []File
	Runs  int
	Rows  int64 // records rows over all records files
}

// File is one written object.
type File struct {
	Key  string
	Rows int    // parquet rows; 0 for metadata.json
	Kind string // KindRecords, KindMetadata or KindFact
}

// File kinds, as in the load ledger.
const (
	KindRecords  = "records"
	KindMetadata = "metadata"
	KindFact     = "fact"
)
