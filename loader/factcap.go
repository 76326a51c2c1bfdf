package loader

import (
	"fmt"

	"github.com/synctrack/synctrack/warehouse"
)

// MaxFactColumns bounds the columns a fact table gets from the union of its
// files' (each file has at most warehouse.MaxFileColumns): a bucket whose
// fact files each bring a thousand new names would make a table of tens of
// thousands of columns, which DuckDB builds slowly and PostgreSQL (1,600 at
// most, and columns once added stay) refuses for every file after.
const MaxFactColumns = 1000

// capFactColumns splits files into those the table is rebuilt from and the
// new ones whose columns would take the table's past MaxFactColumns,
// counting the files loaded before first (they stay, whatever they count)
// and the new ones in order. Files whose columns the engine does not read
// here (none listed: Snowflake's and BigQuery's, read in the service)
// count nothing.
func capFactColumns(files []warehouse.File, ws []Work) (kept, over []warehouse.File) {
	cols := map[string]bool{}
	add := func(f warehouse.File) {
		for _, c := range f.Columns {
			cols[warehouse.ASCIILower(c)] = true
		}
	}
	for _, f := range files {
		if !isNew(ws, f.Key) {
			add(f)
		}
	}
	for _, f := range files {
		if !isNew(ws, f.Key) {
			kept = append(kept, f)
			continue
		}
		fresh := map[string]bool{}
		for _, c := range f.Columns {
			if lc := warehouse.ASCIILower(c); !cols[lc] {
				fresh[lc] = true
			}
		}
		if len(fresh) > 0 && len(cols)+len(fresh) > MaxFactColumns {
			over = append(over, f)
			continue
		}
		add(f)
		kept = append(kept, f)
	}
	return kept, over
}

// failOverCap fails the files over the column cap, saying how many columns
// the table would have with each (kept counted, as capFactColumns did).
func failOverCap(table string, kept, over []warehouse.File, fail func(Work, error)) {
	cols := map[string]bool{}
	for _, f := range kept {
		for _, c := range f.Columns {
			cols[warehouse.ASCIILower(c)] = true
		}
	}
	for _, f := range over {
		fresh := map[string]bool{}
		for _, c := range f.Columns {
			if lc := warehouse.ASCIILower(c); !cols[lc] {
				fresh[lc] = true
			}
		}
		fail(Work{Object: f.Object, Attempts: f.Attempts}, warehouse.DataError(fmt.Errorf(
			"fact table %s would have %d columns with this file's %d new ones, more than the %d synctrack keeps: "+
				"the file is not loaded; the table keeps the columns of the files it has", table, len(cols)+len(fresh), len(fresh), MaxFactColumns), f.Key))
	}
}
