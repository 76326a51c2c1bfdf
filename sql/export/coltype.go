package export

import (
	"strconv"
	"strings"
)

// colType is a column's engine type name read as a tree, so that a value
// nested in a list, struct or map is rendered by its own type: DuckDB scans
// a UUID and a BLOB both to []byte, and a DATE, a TIME and a TIMESTAMP all
// to time.Time, at the top level and inside lists alike.
type colType struct {
	name         string              // upper case, without arguments: DATE, LIST, MAP, STRUCT, DECIMAL
	elem         *colType            // a list's element, a map's value
	key          *colType            // a map's key
	fields       map[string]*colType // a struct's fields, a union's members
	width, scale int                 // a DECIMAL's
}

// parseType reads the names duckdb-go's DatabaseTypeName gives: UUID,
// DECIMAL(18,3), DATE[], INTEGER[3], MAP(VARCHAR, UUID[]),
// STRUCT("a" DATE, "b b" UUID). Other engines' names (NUMERIC, STRING,
// TIMESTAMP_TZ) come out as a bare name.
func parseType(s string) *colType {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "]") {
		if i := strings.LastIndexByte(s, '['); i > 0 {
			return &colType{name: "LIST", elem: parseType(s[:i])}
		}
	}
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return &colType{name: strings.ToUpper(s)}
	}
	t := &colType{name: strings.ToUpper(strings.TrimSpace(s[:open]))}
	args := splitArgs(s[open+1 : len(s)-1])
	switch t.name {
	case "DECIMAL", "NUMERIC":
		if len(args) == 2 {
			t.width, _ = strconv.Atoi(strings.TrimSpace(args[0]))
			t.scale, _ = strconv.Atoi(strings.TrimSpace(args[1]))
		}
	case "MAP":
		if len(args) == 2 {
			t.key, t.elem = parseType(args[0]), parseType(args[1])
		}
	case "STRUCT", "UNION":
		t.fields = map[string]*colType{}
		for _, a := range args {
			name, typ := fieldName(strings.TrimSpace(a))
			t.fields[name] = parseType(typ)
		}
	}
	return t
}

// splitArgs splits at the commas outside parentheses and quotes.
func splitArgs(s string) []string {
	var args []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted // a doubled "" toggles twice
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			args = append(args, s[start:i])
			start = i + 1
		}
	}
	return append(args, s[start:])
}

// fieldName splits `"name" TYPE`; duckdb-go always quotes struct field
// names, doubling the quotes inside.
func fieldName(s string) (name, typ string) {
	if !strings.HasPrefix(s, `"`) {
		name, typ, _ = strings.Cut(s, " ")
		return name, typ
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '"' {
			i++
			continue
		}
		return strings.ReplaceAll(s[1:i], `""`, `"`), s[i+1:]
	}
	return s, ""
}

// child is the type of a list's elements or a map's values; field is a
// struct field's. Both are nil when unknown, and a nil colType is read as
// "no type".
func (t *colType) child() *colType {
	if t == nil {
		return nil
	}
	return t.elem
}

func (t *colType) field(name string) *colType {
	if t == nil {
		return nil
	}
	return t.fields[name]
}

// bytes says the type is one of bytes: DuckDB's BLOB (PostgreSQL's bytea
// by its DuckDB name), BigQuery's BYTES, Snowflake's BINARY.
func (t *colType) bytes() bool { return t.is("BLOB", "BYTEA", "BYTES", "BINARY", "VARBINARY") }

func (t *colType) is(names ...string) bool {
	if t == nil {
		return false
	}
	for _, n := range names {
		if t.name == n {
			return true
		}
	}
	return false
}
