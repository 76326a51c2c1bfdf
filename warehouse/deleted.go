package warehouse

import (
	"strconv"
	"strings"
	"time"
)

// deletedLoaded starts the note of a loaded version marked deleted.
const deletedLoaded = "deleted from the bucket while " + StatusLoaded + " "

// DeletedNote is the error column of a version marked deleted: what it was
// (was: failed, quarantined, or loaded, a fact file), that the load at at
// found it gone from the bucket, and for a loaded fact file the table its
// rows left. The row keeps its size, rows and loaded_at
// (dialects.DeletedKeeps): the note is where it says when it went.
func DeletedNote(was string, attempts int, at time.Time, table string) string {
	s := "deleted from the bucket while " + was + " (attempts: " + strconv.Itoa(attempts) + "); gone by " +
		at.UTC().Format(time.RFC3339)
	if table != "" {
		s += ": its rows left " + table
	}
	return s
}

// RowsRemoved says whether e is a loaded version marked deleted, whose
// rows left the warehouse (a fact file's): its rows column counts them.
func (e LedgerEntry) RowsRemoved() bool {
	return e.Status == StatusDeleted && strings.HasPrefix(e.Error, deletedLoaded)
}
