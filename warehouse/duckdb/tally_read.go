package duckdb

import (
	"io"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	analysis "github.com/synctrack/synctrack/sql"
)

// Reading the pages of the columns the counts need (tally_schema.go), a value a
// row into rowGroupCols: strings as indexes into the batch's strings (a
// dictionary's entries once each), statuses as outcomes, timestamps as
// micros. Anything this does not expect is errNoTally.

// readColumn reads column k of one row group into c, a value a row.
func (t *batchTally) readColumn(chunk parquet.ColumnChunk, l leaf, k int, c *rowGroupCols) error {
	var pages parquet.Pages
	if t.src == nil {
		pages = chunk.Pages()
	} else if fc, ok := chunk.(*parquet.FileColumnChunk); ok {
		pages = fc.PagesFrom(t.src)
	} else {
		return errNoTally
	}
	defer pages.Close()
	t.dict, t.codes = nil, nil // a chunk's own: parquet-go may reuse the memory
	row := 0
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n := int(p.NumRows())
		if row+n > len(c.outcome) {
			parquet.Release(p)
			return errNoTally
		}
		err = t.readPage(p, l, k, c, row)
		parquet.Release(p)
		if err != nil {
			return err
		}
		row += n
	}
	if row != len(c.outcome) {
		return errNoTally
	}
	return nil
}

// readPage reads one page of column k, its first row being row.
func (t *batchTally) readPage(p parquet.Page, l leaf, k int, c *rowGroupCols, row int) error {
	defs := p.DefinitionLevels()
	n := int(p.NumRows())
	maxDef := byte(l.maxDef)
	data := p.Data()
	var dict []int32 // the codes of the page's dictionary entries
	var idx []int32
	if d := p.Dictionary(); d != nil {
		idx = data.Int32()
		if k == colStarted || k == colEnded {
			dv := d.Page().Data()
			return t.readTimes(dv.Int64(), idx, defs, n, l, k, c, row)
		}
		codes, err := t.dictCodes(d, k)
		if err != nil {
			return err
		}
		dict = codes
		if k != colMessage {
			return readCodes(dict, idx, defs, maxDef, n, k, c, row)
		}
	}
	if k == colStarted || k == colEnded {
		return t.readTimes(data.Int64(), nil, defs, n, l, k, c, row)
	}
	var vals []byte
	var offs []uint32
	if dict == nil {
		vals, offs = data.ByteArray()
	}
	vi := 0
	for r := range n {
		if defs != nil && defs[r] != maxDef { // NULL
			continue
		}
		var code int32
		var b []byte
		if dict != nil {
			if vi >= len(idx) || int(idx[vi]) >= len(dict) {
				return errNoTally
			}
			code = dict[idx[vi]]
		} else {
			if vi+1 >= len(offs) {
				return errNoTally
			}
			b = vals[offs[vi]:offs[vi+1]]
		}
		vi++
		i := row + r
		switch k {
		case colStatus:
			if dict == nil {
				code = int32(analysis.OutcomeOf(b))
			}
			c.outcome[i] = uint8(code)
		case colMessage:
			if c.outcome[i] == analysis.OutcomeSuccess {
				continue
			}
			if dict == nil {
				m, err := t.message(b)
				if err != nil {
					return err
				}
				code = m
			}
			c.msg[i] = code
		default:
			if dict == nil {
				id, err := t.intern(b)
				if err != nil {
					return err
				}
				code = id
			}
			switch k {
			case colSync:
				c.sync[i] = code
			case colRun:
				c.run[i] = code
			case colOrg:
				c.org[i] = code
			}
		}
	}
	return nil
}

// readCodes reads a dictionary-encoded page of the status or an id column,
// each value the code of its dictionary entry.
func readCodes(dict, idx []int32, defs []byte, maxDef byte, n, k int, c *rowGroupCols, row int) error {
	var ids []int32
	switch k {
	case colSync:
		ids = c.sync[row : row+n]
	case colRun:
		ids = c.run[row : row+n]
	case colOrg:
		ids = c.org[row : row+n]
	}
	out := c.outcome[row : row+n]
	vi := 0
	for r := range n {
		if defs != nil && defs[r] != maxDef { // NULL
			continue
		}
		if vi >= len(idx) || uint(idx[vi]) >= uint(len(dict)) {
			return errNoTally
		}
		code := dict[idx[vi]]
		vi++
		if ids != nil {
			ids[r] = code
		} else {
			out[r] = uint8(code)
		}
	}
	return nil
}

// message interns a status_message and fingerprints it, once per distinct
// message in a batch.
func (t *batchTally) message(b []byte) (int32, error) {
	m, err := t.intern(b)
	if err != nil {
		return 0, err
	}
	if t.fpOf[m] == noFP {
		msg := t.strs[m]
		fp := t.fp.FingerprintBytes(unsafe.Slice(unsafe.StringData(msg), len(msg)))
		if len(fp) == len(msg) && string(fp) == msg {
			t.fpOf[m] = m
		} else {
			id, err := t.intern(fp)
			if err != nil {
				return 0, err
			}
			t.fpOf[m] = id
		}
	}
	return m, nil
}

// dictCodes is what column k's values are for each entry of d: an outcome,
// a message or an id.
func (t *batchTally) dictCodes(d parquet.Dictionary, k int) ([]int32, error) {
	if t.dict == d && len(t.codes) == d.Len() {
		return t.codes, nil
	}
	dv := d.Page().Data()
	vals, offs := dv.ByteArray()
	if len(offs) != d.Len()+1 {
		return nil, errNoTally
	}
	codes := make([]int32, d.Len())
	for i := range codes {
		b := vals[offs[i]:offs[i+1]]
		var err error
		switch k {
		case colStatus:
			codes[i] = int32(analysis.OutcomeOf(b))
		case colMessage:
			codes[i], err = t.message(b)
		default:
			codes[i], err = t.intern(b)
		}
		if err != nil {
			return nil, err
		}
	}
	t.dict, t.codes = d, codes
	return codes, nil
}

// readTimes reads a page of timestamps (through idx when dictionary encoded).
func (t *batchTally) readTimes(vals []int64, idx []int32, defs []byte, n int, l leaf, k int, c *rowGroupCols, row int) error {
	maxDef := byte(l.maxDef)
	ts, ok := c.started, c.startedOK
	if k == colEnded {
		ts, ok = c.ended, c.endedOK
	}
	vi := 0
	for r := range n {
		if defs != nil && defs[r] != maxDef { // NULL
			continue
		}
		j := vi
		if idx != nil {
			if vi >= len(idx) {
				return errNoTally
			}
			j = int(idx[vi])
		}
		vi++
		if j >= len(vals) {
			return errNoTally
		}
		us, good := toMicros(vals[j], l.unit)
		if !good {
			return errNoTally
		}
		ts[row+r], ok[row+r] = us, true
	}
	return nil
}
