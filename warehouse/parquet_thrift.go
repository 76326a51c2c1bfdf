package warehouse

import (
	"errors"
	"fmt"
)

func elementCost(t byte) int64 {
	if t == 12 {
		return structCost
	}
	return valueCost
}

// maxThriftElements is the most elements a thrift list, set or map in a
// parquet file's metadata may claim (Arrow's thrift_container_size_limit):
// parquet-go makes the slice whole before it decodes its elements.
const maxThriftElements = 1_000_000

// maxThriftDepth is the deepest nesting of thrift structs and containers
// checkThrift follows.
const maxThriftDepth = 64

// errThriftShort is checkThrift's error when b ends inside the struct, or
// a binary or a container claims more bytes than b has left: a page
// header read in part is read again longer (readPageHeader); one whose
// page statistics hold strings of a few KiB is longer than the first
// read (found by a review: a 2 KB payload failed every such file).
var errThriftShort = errors.New("thrift struct runs past its bytes")

// checkThrift walks one compact-protocol thrift struct at the start of b, as
// parquet-go would decode it, without decoding it: every binary's length,
// and every list's, set's and map's count, must fit in the bytes left (each
// element takes at least one), a container may hold at most
// maxThriftElements, and nesting goes at most maxThriftDepth deep. It
// returns the struct's length; errThriftShort when b ends first.
func checkThrift(b []byte) (int, error) {
	c := thriftChecker{b: b}
	if err := c.value(12, 0); err != nil {
		return 0, err
	}
	if c.cost > maxDecodeBytes {
		return 0, fmt.Errorf("decoding it would take about %d MiB (at most %d)", c.cost>>20, maxDecodeBytes>>20)
	}
	return c.off, nil
}

// maxDecodeBytes bounds what decoding one thrift struct of a file's
// metadata may cost in Go memory, by checkThrift's estimate: a footer of
// 12 MB holding four million column chunks of 3 bytes each took 2.2 GiB
// (a ColumnChunk is 560 bytes in parquet-go), 120 MB of them would be the
// runtime's fatal out of memory. A file of 200 columns in 100 row groups
// is estimated at under 20 MiB.
const maxDecodeBytes = 256 << 20

// What checkThrift counts a container element as costing once decoded:
// a struct as much as parquet-go's largest (ColumnChunk), anything else a
// slice element or string header.
const (
	structCost = 600
	valueCost  = 32
)

type thriftChecker struct {
	b    []byte
	off  int
	cost int64 // estimated Go bytes to decode what was walked
}

func (c *thriftChecker) byte() (byte, error) {
	if c.off >= len(c.b) {
		return 0, errThriftShort
	}
	c.off++
	return c.b[c.off-1], nil
}

func (c *thriftChecker) uvarint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		x, err := c.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(x&0x7f) << shift
		if x < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("thrift varint longer than 10 bytes")
}

func (c *thriftChecker) skip(n uint64) error {
	if n > uint64(len(c.b)-c.off) {
		return errThriftShort
	}
	c.off += int(n)
	return nil
}

// count checks a container's element count against the bytes left, each
// element taking at least least bytes.
func (c *thriftChecker) count(n uint64, least int) error {
	if n > maxThriftElements {
		return fmt.Errorf("thrift container of %d elements (at most %d)", n, maxThriftElements)
	}
	if n*uint64(least) > uint64(len(c.b)-c.off) {
		return fmt.Errorf("%w: a container of %d elements in %d bytes", errThriftShort, n, len(c.b)-c.off)
	}
	return nil
}

// value skips one value of compact type t. In a container a bool is a
// byte; as a field its type is its value (handled by the caller).
func (c *thriftChecker) value(t byte, depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("thrift nested deeper than %d", maxThriftDepth)
	}
	switch t {
	case 1, 2, 3: // bool (in a container), i8
		return c.skip(1)
	case 4, 5, 6: // i16, i32, i64
		_, err := c.uvarint()
		return err
	case 7: // double
		return c.skip(8)
	case 8: // binary
		n, err := c.uvarint()
		if err != nil {
			return err
		}
		if n > uint64(len(c.b)-c.off) {
			return fmt.Errorf("%w: a binary of %d bytes in %d", errThriftShort, n, len(c.b)-c.off)
		}
		return c.skip(n)
	case 9, 10: // list, set
		h, err := c.byte()
		if err != nil {
			return err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = c.uvarint(); err != nil {
				return err
			}
		}
		if err := c.count(n, 1); err != nil {
			return err
		}
		c.cost += int64(n) * elementCost(h&0x0f)
		for range n {
			if err := c.value(h&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 11: // map
		n, err := c.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := c.byte()
		if err != nil {
			return err
		}
		if err := c.count(n, 2); err != nil {
			return err
		}
		c.cost += int64(n) * (elementCost(kv>>4) + elementCost(kv&0x0f))
		for range n {
			if err := c.value(kv>>4, depth+1); err != nil {
				return err
			}
			if err := c.value(kv&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 12: // struct
		for {
			h, err := c.byte()
			if err != nil {
				return err
			}
			if h == 0 {
				return nil
			}
			if h>>4 == 0 { // long form: the field id follows
				if _, err := c.uvarint(); err != nil {
					return err
				}
			}
			switch ft := h & 0x0f; ft {
			case 1, 2: // bool field: the type is the value
			default:
				if err := c.value(ft, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return fmt.Errorf("thrift type %d", t)
}

// fields walks the fields of the struct at c.off (compact protocol: a
// header byte of id delta and type, or a zero delta and the id after it;
// a zero byte ends it), giving read each field's id and type; a field read
// does not take is skipped.
func (c *thriftChecker) fields(read func(id int16, t byte) (bool, error)) error {
	var last int16
	for {
		hb, err := c.byte()
		if err != nil {
			return err
		}
		if hb == 0 {
			return nil
		}
		id := last + int16(hb>>4)
		if hb>>4 == 0 {
			u, err := c.uvarint()
			if err != nil {
				return err
			}
			id = int16(uint16(u>>1) ^ -uint16(u&1))
		}
		last = id
		t := hb & 0x0f
		took, err := read(id, t)
		if err != nil {
			return err
		}
		if took || t == 1 || t == 2 { // a bool field's value is its type
			continue
		}
		if err := c.value(t, 1); err != nil {
			return err
		}
	}
}
