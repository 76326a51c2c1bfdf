package web

import (
	"context"
	"errors"
	"maps"
	"strconv"

	analysis "github.com/synctrack/synctrack/sql"
	"github.com/synctrack/synctrack/sql/export"
	"github.com/synctrack/synctrack/warehouse"
)

// rowKey is a record's place: its file and row.
type rowKey struct {
	file string
	row  int64
}

// typedRows reads a page's typed cells from the sync's typed view, with the
// run page's own parameters (run_typed gives the rows run_records gives), so
// each cell is what a query on the view answers: the engine's own casts, not
// a copy of them. The identifier's key is left out: the view does not carry
// it, and the identifier itself picks the same rows. page (not empty) is
// the page's rows: only those up to its last are read.
func typedRows(ctx context.Context, wh warehouse.Querier, view string, cols []payloadColumn, v analysis.Values, page []row) (map[rowKey][]string, error) {
	tv := maps.Clone(v)
	delete(tv, analysis.ParamIdentifierKey)
	delete(tv, analysis.ParamFileTo) // the page's last row is the bound above
	last := page[len(page)-1]
	tv[analysis.ParamUptoFile], tv[analysis.ParamUptoRow] = last.str("_file"), int(last.int("_row"))
	tv[analysis.ParamLimit] = len(page)
	rows, err := queryWith(ctx, wh, "run_typed", tv, typedSource(wh.Dialect(), wh.Schema(), view, cols))
	if err != nil {
		return nil, err
	}
	out := make(map[rowKey][]string, len(rows))
	for _, x := range rows {
		cells, left := make([]string, len(cols)), maxShown
		for i := range cols {
			cells[i], left = typedText(cellText(x["t"+strconv.Itoa(i)]), left)
		}
		out[rowKey{x.str("_file"), x.int("_row")}] = cells
	}
	return out, nil
}

// typedText is a typed cell as the page shows it: its first maxText bytes,
// as a message's, and none once its record's cells have shown left bytes
// (a payload's own maxShown), saying how long it is. They were shown
// whole beside a payload cut at 64 KiB: a typed string column of 1 MiB
// values made a run page of 55 MB (found by a review).
func typedText(s string, left int) (string, int) {
	if left <= 0 && s != "" {
		return "... cut: " + thousands(int64(len(s))) + " bytes in all; the record's other cells filled its share of the page", 0
	}
	s = short(s)
	return s, left - len(s)
}

// typedErrorText is why the view did not answer, for the page: a data
// error's hint speaks of loading an object, not of a query (the view's
// cast refused a value), so it is left out.
func typedErrorText(err error) string {
	var e *warehouse.Error
	if errors.As(err, &e) && e.Class == warehouse.Data {
		return e.Err.Error()
	}
	return err.Error()
}

// cellText is a typed view's value as the page shows it: "" for NULL,
// numbers as JSON writes them (no 300-digit expansions of 1e300).
func cellText(v any) string {
	if f, ok := v.(float64); ok {
		return number(f)
	}
	return export.Text(v)
}
