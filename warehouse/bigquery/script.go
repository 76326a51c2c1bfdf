package bigquery

import (
	"errors"
	"fmt"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// maxScript bounds one script's text. BigQuery takes at most 1,024K characters
// of unresolved query text; a byte is at most a character, and the margin
// leaves room for nothing else, so any script under it is accepted.
const maxScript = 1_000_000

// batchFiles is the file count of one batch when the loader's options leave
// it unset: one script per cycle up to this many new files. Each file costs
// about 300 bytes of script plus four times its key (uri and key in its
// files row, its ledger row, the external table's URI list), declared once (dialects.BigQuery.Declare): 706 bytes
// with the vendor's keys of about 100 bytes, so 1,400 files make 990 KB
// (TestScriptSize). Longer keys are caught by maxScript before any job runs,
// and the loader halves the batch until it fits (GCS keys of 1,024 bytes:
// about 220 files a script).
const batchFiles = 1400

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
