package export

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// orderedGroup is a parquet group whose columns keep the result's order:
// parquet.Group is a map and sorts its fields by name, which put `_file`
// first in a records export and `de` before `t` in a query's.
type orderedGroup []parquet.Field

// field names a node; a one-entry parquet.Group makes the Field for us.
func field(name string, n parquet.Node) parquet.Field {
	return parquet.Group{name: n}.Fields()[0]
}

var _ parquet.Node = orderedGroup(nil)

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) GoType() reflect.Type        { return g.group().GoType() }
func (g orderedGroup) String() string              { return g.group().String() }
func (g orderedGroup) group() parquet.Group {
	m := make(parquet.Group, len(g))
	for _, f := range g {
		m[f.Name()] = f
	}
	return m
}

// decimalNode is a DECIMAL(w,s) column as parquet's DECIMAL over the
// smallest physical type DuckDB and others read back as the same DECIMAL:
// INT32 up to 9 digits, INT64 up to 18, a 16-byte two's complement up to
// 38. nil when the type name has no usable width.
func decimalNode(t *colType) parquet.Node {
	switch w := t.width; {
	case w < 1 || w > 38 || t.scale < 0 || t.scale > w:
		return nil
	case w <= 9:
		return parquet.Decimal(t.scale, w, parquet.Int32Type)
	case w <= 18:
		return parquet.Decimal(t.scale, w, parquet.Int64Type)
	default:
		return parquet.Decimal(t.scale, w, parquet.FixedLenByteArrayType(16))
	}
}

// decimalValue is v's unscaled integer at the column's scale, in the
// physical type decimalNode chose, or why it has none.
func decimalValue(v any, t *colType) (parquet.Value, error) {
	n, err := unscaled(v, t)
	if err != nil {
		return parquet.Value{}, err
	}
	// Digits beyond the width would wrap in INT32 and INT64; an engine's
	// value has none, but a file never holds a wrong number.
	if n.CmpAbs(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.width)), nil)) >= 0 {
		return parquet.Value{}, fmt.Errorf("%s is %w of DECIMAL(%d,%d)", Text(v), errRange, t.width, t.scale)
	}
	switch {
	case t.width <= 9:
		return parquet.Int32Value(int32(n.Int64())), nil
	case t.width <= 18:
		return parquet.Int64Value(n.Int64()), nil
	}
	if n.Sign() < 0 { // two's complement: 2^128 + n
		n.Add(n, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return parquet.FixedLenByteArrayValue(n.FillBytes(make([]byte, 16))), nil
}

func unscaled(v any, t *colType) (*big.Int, error) {
	scale := t.scale
	if d, ok := v.(duckdb.Decimal); ok && d.Value != nil && int(d.Scale) <= scale {
		pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-int(d.Scale))), nil)
		return new(big.Int).Mul(d.Value, pow), nil
	}
	s := strings.TrimSpace(Text(v))
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is no DECIMAL(%d,%d) value: cast the column to VARCHAR or DOUBLE in the query", s, t.width, t.scale)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	if !r.IsInt() {
		return nil, fmt.Errorf("%s has more than %d decimals", s, scale)
	}
	return r.Num(), nil
}
