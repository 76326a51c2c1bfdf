package bigquery

import (
	"errors"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// maxScript bounds one script's text. BigQuery takes at most 1,024K characters
// of unresolved query text; a byte is at most a character, and the margin
// leaves room for nothing else, so any script under it is accepted. The
// batch's values are not in it: they are query parameters of the one job
// that stages them (dialects.BigQuery.StageArrays), so a script's text grows
// with its schemas, not its files; only path a's external table lists each
// file's URI (a DDL option).
const maxScript = 1_000_000

// maxParams bounds the estimated size of one job's query parameters
// (dialects.BQArrays.Bytes): BigQuery's API takes requests of at most 10 MB,
// and the margin leaves room for the query text and JSON framing.
const maxParams = 8_000_000

// batchFiles is the file count of one batch when the loader's options leave
// it unset: one staging job and one script per cycle up to this many new
// files. Each file costs about 1 KB of parameters with the vendor's keys of
// about 100 bytes (files row, ledger row), so 5,000 files make about 5 MB
// (TestScriptSize), and path a's external table lists each URI once in the
// script, about 125 bytes a file, 640 KB. Longer keys are caught by maxParams
// or maxScript before any job runs, and the loader halves the batch until it
// fits (GCS keys of 1,024 bytes: about 1,600 files a batch).
const batchFiles = 5000

var _ warehouse.BatchLimiter = (*Warehouse)(nil)

// BatchLimits lets one script take a cycle's files up to batchFiles, with no
// byte bound: nothing is staged on disk, BigQuery reads the objects.
func (w *Warehouse) BatchLimits() (int, int64) { return batchFiles, 1 << 62 }

// errScriptTooLarge is returned before any job runs; the loader then splits
// the batch in halves until each half fits.
var errScriptTooLarge = errors.New("script exceeds BigQuery's query text limit")

// join renders a script: decl (which must open it), then the statements, then
// the transaction, then post; it fails without running anything if the text
// would exceed maxScript.
func join(decl, pre []string, tx string, post []string) (string, error) {
	var parts []string
	parts = append(parts, decl...)
	parts = append(parts, pre...)
	s := ""
	if len(parts) > 0 {
		s = strings.Join(parts, ";\n") + ";\n"
	}
	s += tx
	if len(post) > 0 {
		s += "\n" + strings.Join(post, ";\n") + ";"
	}
	if len(s) > maxScript {
		return "", fmt.Errorf("%w: %d bytes, most %d", errScriptTooLarge, len(s), maxScript)
	}
	return s, nil
}
