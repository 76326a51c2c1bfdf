package duckdb

import (
	"hash/maphash"
	"unsafe"
)

// strIndex finds a batch's distinct strings (batchTally.strs) by their
// bytes: open addressing over a power-of-two table, each slot a hash's high
// half and the string's index plus one (0: empty), so that finding a string
// and, when absent, the slot to add it in is one probe sequence, with one
// hash of the bytes. A Go map took a hash and a probe to look a message up
// and another pair to add it: half of the grouping's time went there for
// the generator's 157,000 distinct messages in 2M rows.
type strIndex struct {
	slots []uint64
	n     int
	seed  maphash.Seed
}

func newStrIndex(hint int) strIndex {
	size := 64
	for size*3 < hint*4 {
		size *= 2
	}
	return strIndex{slots: make([]uint64, size), seed: maphash.MakeSeed()}
}

// find returns the index in strs of the string b, or -1 and the slot and
// hash add takes.
func (x *strIndex) find(strs []string, b []byte) (i int32, slot int, h uint64) {
	h = maphash.Bytes(x.seed, b)
	mask := len(x.slots) - 1
	tag := h >> 32
	for slot = int(h) & mask; ; slot = (slot + 1) & mask {
		s := x.slots[slot]
		if s == 0 {
			return -1, slot, h
		}
		if s>>32 == tag && strs[uint32(s)-1] == unsafe.String(unsafe.SliceData(b), len(b)) {
			return int32(uint32(s) - 1), slot, h
		}
	}
}

// add records that strs[i] (the string find did not find) is at slot,
// growing the table past three quarters full.
func (x *strIndex) add(strs []string, i int32, slot int, h uint64) {
	x.slots[slot] = h>>32<<32 | uint64(i+1)
	if x.n++; x.n*4 > len(x.slots)*3 {
		old := x.slots
		x.slots = make([]uint64, 2*len(old))
		mask := len(x.slots) - 1
		for _, s := range old {
			if s == 0 {
				continue
			}
			j := int(maphash.String(x.seed, strs[uint32(s)-1])) & mask
			for x.slots[j] != 0 {
				j = (j + 1) & mask
			}
			x.slots[j] = s
		}
	}
}
