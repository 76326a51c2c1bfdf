package bigquery

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/synctrack/synctrack/warehouse"
)

// A file BigQuery cannot read is told apart in the call that meets it, so the
// rest of its batch loads in that call and the loader never halves a batch
// for it: a dry run or a load job is per file, or names the file; a failed
// script names the file it could not read. Only data errors, and errors no
// rule knows, are ever blamed on files; a quota, a permission, an outage or a
// step refused for every file stops the call with nothing blamed.

// blames says whether err may be about a file's data.
func blames(err error) bool {
	c := warehouse.ClassOf(err)
	return c == warehouse.Data || c == warehouse.Unclassified
}

// alone sorts the outcomes of a step run once per file (errs[j] is
// keys[j]'s): a data error, or one no rule knows, is that file's own failure
// (bad, by index); any other class stops the batch and is returned. When
// several files all failed and none with a data error, BigQuery refused the
// step, not the files: that stops too (refused), blaming none.
func alone(step, hint string, keys []string, errs []error) (map[int]error, error) {
	bad := map[int]error{}
	data := false
	for j, err := range errs {
		switch {
		case err == nil:
		case !blames(err):
			return nil, err
		default:
			data = data || warehouse.ClassOf(err) == warehouse.Data
			bad[j] = blame(err, keys[j])
		}
	}
	if len(keys) > 1 && len(bad) == len(keys) && !data {
		return nil, refused(step, len(keys), hint, errs[0])
	}
	return bad, nil
}

// blame makes err a data error about key, keeping its reason and hint.
func blame(err error, key string) error {
	var e *warehouse.Error
	if errors.As(err, &e) && e.Class == warehouse.Data && len(e.Keys) == 1 && e.Keys[0] == key {
		return err
	}
	de := warehouse.DataError(err, key).(*warehouse.Error)
	if reason, hint := warehouse.Explain(err); reason != "" && reason != "invalid" {
		de.Reason, de.Hint = reason, hint
	}
	return de
}

// named lists the files at live that err names as its cause (by key, or by
// the URI that holds it, as BigQuery names a file it cannot read), when err
// may be about data and names some of several files, not all: an error that
// names every file is about the step.
func named(err error, files []warehouse.File, live []int) []int {
	if err == nil || !blames(err) {
		return nil
	}
	var e *warehouse.Error
	errors.As(err, &e)
	msg := err.Error()
	var out []int
	for _, i := range live {
		k := files[i].Key
		if strings.Contains(msg, k) || e != nil && slices.Contains(e.Keys, k) {
			out = append(out, i)
		}
	}
	if len(out) == len(live) && len(live) > 1 {
		return nil
	}
	return out
}

// fileErrors lists failed (by index into files) in file order.
func fileErrors(files []warehouse.File, failed map[int]error) []warehouse.FileError {
	idx := make([]int, 0, len(failed))
	for i := range failed {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]warehouse.FileError, len(idx))
	for j, i := range idx {
		out[j] = warehouse.FileError{Key: files[i].Key, Err: failed[i]}
	}
	return out
}

// failedError is one data error naming every failed file, for a call that
// cannot return them apart (ReplaceFacts): the loader fails each and calls
// again with the rest.
func failedError(files []warehouse.File, failed map[int]error) error {
	fes := fileErrors(files, failed)
	if len(fes) == 1 {
		return fes[0].Err
	}
	keys := make([]string, len(fes))
	errs := make([]error, len(fes))
	for j, fe := range fes {
		keys[j], errs[j] = fe.Key, fmt.Errorf("%s: %w", fe.Key, fe.Err)
	}
	return warehouse.DataError(errors.Join(errs...), keys...)
}
