package loader

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The two prefixes the vendor writes under.
const (
	RunsPrefix  = "sync_tracking_datasets/"
	FactsPrefix = "metadata/"
)

// factTables are the fact tables we know, longest name first so that
// destination_objects is not taken for destinations.
var factTables = []string{"destination_objects", "source_objects", "destinations"}

// Classify reads what an object is from its key alone.
func Classify(key string) Object {
	o := Object{Key: key, Kind: KindIgnored}
	if !utf8.ValidString(key) {
		// A local folder's name may hold any bytes; no warehouse keeps
		// them (the ledger would store the key mended, never matching it
		// again: its rows loaded anew every load), nor does an object
		// store take them to read. Never read; the plan's BadKeys.
		return o
	}
	switch {
	case strings.HasPrefix(key, RunsPrefix):
		parts := strings.Split(strings.TrimPrefix(key, RunsPrefix), "/")
		if len(parts) != 4 || hasEmpty(parts) || isTemp(parts[3]) {
			return o
		}
		o.OrgID, o.SyncID, o.RunID = parts[0], parts[1], parts[2]
		name := parts[3]
		switch {
		case name == "metadata.json":
			o.Kind = KindMetadata
		case strings.HasSuffix(name, ".parquet"):
			o.Kind = KindRecords
			o.BatchType, o.BatchNumber = batchName(strings.TrimSuffix(name, ".parquet"))
		}
	case strings.HasPrefix(key, FactsPrefix):
		parts := strings.Split(strings.TrimPrefix(key, FactsPrefix), "/")
		if len(parts) < 2 || len(parts) > 3 || hasEmpty(parts) || isTemp(parts[len(parts)-1]) ||
			!strings.HasSuffix(key, ".parquet") {
			return o
		}
		// metadata/ORG/source_objects.parquet, .../source_objects.0.parquet or
		// .../source_objects/part-0.parquet.
		for _, t := range factTables {
			if strings.HasPrefix(parts[1], t) {
				o.Kind, o.OrgID, o.FactTable = KindFact, parts[0], t
				break
			}
		}
	}
	return o
}

// batchName splits "records_updated.12" into its type and number. An old-shape
// name without a number ("records_updated") has a nil number. The number is
// digits only: ParseInt alone also takes "+5" and "-0", which BigQuery's
// external path (a regexp on the file name) reads as no number, so one file
// would get two batch numbers depending on the load mode.
func batchName(s string) (string, *int64) {
	if i := strings.LastIndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0123456789") == "" {
		if n, err := strconv.ParseInt(s[i+1:], 10, 64); err == nil {
			return s[:i], &n
		}
	}
	return s, nil
}

func hasEmpty(parts []string) bool {
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return true
		}
	}
	return false
}

// isTemp reports names that writers use for objects not yet complete, or for
// markers: they are never data.
func isTemp(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, ".temp") ||
		strings.HasSuffix(lower, ".crc") || strings.HasSuffix(lower, ".txt") ||
		strings.Contains(lower, ".inprogress")
}
