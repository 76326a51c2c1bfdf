package warehouse

import (
	"errors"
	"fmt"

	"github.com/parquet-go/parquet-go/format"
)

// decodePageHeader sets the fields of h that CheckPages checks (the sizes,
// and the value, null and row counts, level lengths and is_compressed of a
// data, data v2 or dictionary page header) from b, one compact-protocol
// struct checkThrift accepted. parquet-go's decoder, by reflection, was most
// of the check's time; parquet-go decodes the header again, whole, when it
// reads the page. A field of the wrong type is an error.
func decodePageHeader(b []byte, h *format.PageHeader) error {
	*h = format.PageHeader{}
	c := thriftChecker{b: b}
	i32 := func(t byte, p *int32) error {
		if t != 5 {
			return fmt.Errorf("page header: an i32 field of thrift type %d", t)
		}
		u, err := c.uvarint()
		if err != nil {
			return err
		}
		if u > 0xFFFFFFFF {
			return errors.New("page header: an i32 field past 32 bits")
		}
		*p = int32(uint32(u>>1) ^ -uint32(u&1))
		return nil
	}
	inner := func(t byte, read func(id int16, t byte) (bool, error)) error {
		if t != 12 {
			return fmt.Errorf("page header: a struct field of thrift type %d", t)
		}
		return c.fields(read)
	}
	return c.fields(func(id int16, t byte) (bool, error) {
		switch id {
		case 2:
			return true, i32(t, &h.UncompressedPageSize)
		case 3:
			return true, i32(t, &h.CompressedPageSize)
		case 5:
			h.DataPageHeader.Valid = true
			return true, inner(t, func(id int16, t byte) (bool, error) {
				if id == 1 {
					return true, i32(t, &h.DataPageHeader.V.NumValues)
				}
				return false, nil
			})
		case 7:
			h.DictionaryPageHeader.Valid = true
			return true, inner(t, func(id int16, t byte) (bool, error) {
				if id == 1 {
					return true, i32(t, &h.DictionaryPageHeader.V.NumValues)
				}
				return false, nil
			})
		case 8:
			h.DataPageHeaderV2.Valid = true
			v2 := &h.DataPageHeaderV2.V
			return true, inner(t, func(id int16, t byte) (bool, error) {
				switch id {
				case 1:
					return true, i32(t, &v2.NumValues)
				case 2:
					return true, i32(t, &v2.NumNulls)
				case 3:
					return true, i32(t, &v2.NumRows)
				case 5:
					return true, i32(t, &v2.DefinitionLevelsByteLength)
				case 6:
					return true, i32(t, &v2.RepetitionLevelsByteLength)
				case 7:
					if t != 1 && t != 2 {
						return true, fmt.Errorf("page header: is_compressed of thrift type %d", t)
					}
					v2.IsCompressed.Valid, v2.IsCompressed.V = true, t == 1
					return true, nil
				}
				return false, nil
			})
		}
		return false, nil
	})
}
