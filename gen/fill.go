package gen

import (
	"io"
	"strconv"
	"sync"
	"unsafe"
)

// filler makes the records of one planned file, a chunk at a time, keeping
// all strings of a chunk in one arena string.
type filler struct {
	f     *filePlan
	recs  []Record
	ints  []int64
	outs  []outcome
	arena []byte
	spans []int // per record: end of identifier, payload, message in arena
}

// fillers recycles chunk buffers across files: small files are common.
var fillers sync.Pool

func newFiller(f *filePlan) *filler {
	fl, _ := fillers.Get().(*filler)
	if fl == nil {
		n := min(f.rows, chunkRows)
		fl = &filler{recs: make([]Record, n), ints: make([]int64, n), outs: make([]outcome, n),
			arena: make([]byte, 0, 512*n), spans: make([]int, 0, 3*n)}
	}
	fl.f = f
	return fl
}

func (fl *filler) release() {
	fl.f = nil
	clear(fl.recs) // drop references to the arena string
	fillers.Put(fl)
}

func grow[T any](s []T, n int) []T {
	if len(s) < n {
		return make([]T, n)
	}
	return s
}

// ident appends the identifier of record k.
func (fl *filler) ident(dst []byte, k int) []byte {
	s := fl.f.run.sync
	switch {
	case s.tpl.intIDs:
		return strconv.AppendInt(dst, s.identBase*10+int64(k)*3, 10)
	case s.tpl.name == "orders":
		h := mix(s.seed, uint64(k)+7)
		return appendUUID(dst, h, mix(h, 3))
	case s.tpl.name == "contacts":
		return strconv.AppendInt(append(dst, "CUST-"...), s.identBase+int64(k), 10)
	}
	return strconv.AppendInt(append(dst, "u_"...), s.identBase+int64(k), 10)
}

// chunk fills records [from, from+n) of the file.
func (fl *filler) chunk(from, n int) []Record {
	f, run := fl.f, fl.f.run
	s := run.sync
	arena, spans := fl.arena[:0], fl.spans[:0]
	fl.recs, fl.ints, fl.outs = grow(fl.recs, n), grow(fl.ints, n), grow(fl.outs, n)
	outs := fl.outs
	for i := range n {
		k := f.first + from + i
		h := mix(s.seed, uint64(k))
		hr := mix(h, uint64(run.idx)+1)
		o := recordOutcome(mix(h, 99), mix(hr, 99))
		outs[i] = o
		kk := k
		if o == oDuplicate {
			kk = k - 1 // repeats the previous identifier of the batch
			if from+i == 0 {
				kk = k + 1
			}
		}
		idStart := len(arena)
		arena = fl.ident(arena, kk)
		ident := arena[idStart:]
		spans = append(spans, len(arena))
		rw := row{h: h, hr: hr, ident: ident, nullIdx: -1, runStart: run.start}
		if o == oNull {
			rw.nullIdx = 1
		}
		arena = appendPayload(arena, run.fields, &rw, s.tpl.intIDs)
		spans = append(spans, len(arena))
		switch o {
		case oRejected:
			arena = appendRejection(arena, mix(hr, 5), rw.ident)
		case oNull, oDuplicate:
			arena = appendInvalid(arena, o, run.fields[1].name, rw.ident)
		}
		spans = append(spans, len(arena))
	}
	// The records of a chunk are written before the next chunk reuses the
	// arena, and the parquet writer copies values, so no copy is needed.
	all := unsafe.String(unsafe.SliceData(arena), len(arena))
	fl.arena, fl.spans = arena, spans
	recs := fl.recs[:n]
	prev := 0
	for i := range n {
		r := &recs[i]
		idEnd, plEnd, msgEnd := spans[3*i], spans[3*i+1], spans[3*i+2]
		*r = Record{Identifier: all[prev:idEnd], Payload: all[idEnd:plEnd], Operation: f.op,
			Status: outs[i].status(), Started: f.started, Ended: f.ended,
			SyncConfigurationID: s.id, SyncRunID: run.id}
		if msgEnd > plEnd {
			msg := all[plEnd:msgEnd]
			r.StatusMessage = &msg
		}
		if s.tpl.intIDs {
			fl.ints[i], _ = strconv.ParseInt(r.Identifier, 10, 64)
			r.IntIdentifier = &fl.ints[i]
		}
		if outs[i] == oRejected {
			r.RetryCount = int64(mix(f.seed, uint64(from+i)) % 4)
		}
		prev = msgEnd
	}
	return recs
}

// writeFile writes the planned records file to w.
func writeFile(w io.Writer, f *filePlan) error {
	fl := newFiller(f)
	defer fl.release()
	rw := newRecordWriter(w, f.shape, f.rows)
	defer rw.release()
	for from := 0; from < f.rows; from += chunkRows {
		if err := rw.write(fl.chunk(from, min(chunkRows, f.rows-from))); err != nil {
			return err
		}
	}
	return rw.close()
}
