package postgres

// maxJSONDepth is encoding/json's nesting limit: validJSON refuses what
// json.Valid refuses.
const maxJSONDepth = 10000

// validJSON reports whether b is one JSON value (RFC 8259, as json.Valid
// reads it: surrounding whitespace allowed, bytes above 0x7F in strings
// taken as they are), and whether it holds a \u escape in a string, the
// only place where jsonb's refusals (\u0000, lone surrogates) can be.
//
// It is json.Valid's answer in one pass without a call per byte:
// encoding/json's scanner steps a state function for every byte, which was
// a quarter of a large load's client CPU. FuzzValidJSON holds the two
// together.
func validJSON(b []byte) (ok, uEscape bool) {
	var buf [32]byte
	stack := buf[:0] // '{' or '[' of each open container
	i := 0
	for {
		// a value starts at i
		i = skipSpace(b, i)
		if i >= len(b) {
			return false, uEscape
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxJSONDepth {
				return false, uEscape
			}
			stack = append(stack, c)
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == c+2 { // '}' is '{'+2, ']' is '['+2
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				var u bool
				if i, u = scanKey(b, i); i < 0 {
					return false, uEscape
				}
				uEscape = uEscape || u
			}
			continue
		case c == '"':
			var u bool
			if i, u = scanString(b, i+1); i < 0 {
				return false, uEscape
			}
			uEscape = uEscape || u
		case c == '-' || c >= '0' && c <= '9':
			if i = scanNumber(b, i); i < 0 {
				return false, uEscape
			}
		case c == 't':
			i = literal(b, i, "true")
		case c == 'f':
			i = literal(b, i, "false")
		case c == 'n':
			i = literal(b, i, "null")
		default:
			return false, uEscape
		}
		if i < 0 {
			return false, uEscape
		}
		// after a value: containers close, or a comma leads to the next value
		for {
			i = skipSpace(b, i)
			if len(stack) == 0 {
				return i == len(b), uEscape
			}
			if i >= len(b) {
				return false, uEscape
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				i++
				if top == '{' {
					var u bool
					if i, u = scanKey(b, skipSpace(b, i)); i < 0 {
						return false, uEscape
					}
					uEscape = uEscape || u
				}
				break
			}
			if b[i] != top+2 {
				return false, uEscape
			}
			stack = stack[:len(stack)-1]
			i++
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanKey reads `"key" :` from i, returning the index after the colon, -1
// if that is not there.
func scanKey(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return -1, false
	}
	i, u := scanString(b, i+1)
	if i < 0 {
		return -1, u
	}
	if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
		return -1, u
	}
	return i + 1, u
}

// scanString reads a string's body from i (after its opening quote),
// returning the index after the closing quote, -1 if it is not a valid
// string, and whether it holds a \u escape.
func scanString(b []byte, i int) (int, bool) {
	u := false
	for i < len(b) {
		if plain[b[i]] {
			i++
			continue
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, u
		case c == '\\':
			if i+1 >= len(b) {
				return -1, u
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return -1, u
				}
				u = true
				i += 6
			default:
				return -1, u
			}
		case c < 0x20:
			return -1, u
		default:
			i++
		}
	}
	return -1, u
}

// plain marks the bytes a string holds as they are: all but the quote, the
// backslash and control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanNumber reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? from i,
// returning the index after it, -1 if it is not one.
func scanNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i+1 >= len(b) || !isDigit(b[i+1]) {
			return -1
		}
		i = digits(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		i = digits(b, i)
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// literal reads word at i, returning the index after it, -1 if it is not
// there.
func literal(b []byte, i int, word string) int {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}
