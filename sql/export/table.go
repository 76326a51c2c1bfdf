package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
)

// tableWriter aligns columns per block of rows, so memory stays bounded; long
// cells are cut (see cell).
type tableWriter struct {
	w     io.Writer
	tw    *tabwriter.Writer
	head  []string
	types []*colType
	n     int
}

// tableCell is the widest cell in runes; tableTail is how much of a cut
// value's end stays visible.
const tableBlock, tableCell, tableTail = 500, 60, 12

func (t *tableWriter) Begin(cols []Column) error {
	t.types = types(cols)
	for _, c := range cols {
		t.head = append(t.head, EscapeControls(strings.ToUpper(c.Name)))
	}
	t.tw = tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	return t.line(t.head)
}

func (t *tableWriter) Row(vals []any) error {
	cells := make([]string, len(vals))
	for i, v := range vals {
		cells[i] = cell(plain(v, t.types[i]))
	}
	t.n++
	if t.n%tableBlock == 0 {
		if err := t.tw.Flush(); err != nil {
			return err
		}
	}
	return t.line(cells)
}

// cell renders one value so that two different values never render the
// same. A value shown as it is stays as it is. One the table cannot show
// as it is, with line breaks, tabs or other control characters (shown
// escaped, \n) or longer than tableCell (cut in the middle: its start, and
// its end, where the ids and counts that tell messages apart usually are),
// is marked with a short hash of the whole value: messages equal in their
// first 60 characters used to render identically. SQL NULL is NULL, and
// the text "NULL" (a status the vendor writes) is quoted.
func cell(v any) string {
	if v == nil {
		return "NULL"
	}
	full := text(v)
	s := EscapeControls(full)
	r := []rune(s)
	switch {
	case s == "NULL":
		return "'NULL'"
	case s == full && len(r) <= tableCell:
		return s
	}
	sum := sha256.Sum256([]byte(full))
	tag := " #" + hex.EncodeToString(sum[:])[:7]
	if len(r)+len(tag) <= tableCell {
		return s + tag
	}
	head := tableCell - len(tag) - len("...") - tableTail
	return string(r[:head]) + "..." + string(r[len(r)-tableTail:]) + tag
}

// EscapeControls writes control characters as Go escapes (\n, \t, \x1b),
// which would otherwise break a table's or a report's lines and columns, or
// (an escape sequence) drive the terminal; and the bidirectional controls
// (\u202e), which would show the text around them in another order. Values
// from a bucket are data: every command prints them through this.
func EscapeControls(s string) string {
	if !strings.ContainsFunc(s, unprintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unprintable(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// UnescapeControls undoes EscapeControls for text a person copied from the
// output (synctrack retry takes keys as status prints them): each Go escape
// (\n, \x1b, \u202e) is the character it names. EscapeControls leaves
// a backslash as it is, so its output may read two ways: callers try the
// text as written first. ok is false when s holds no escape or a bad one.
func UnescapeControls(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, false
	}
	var b strings.Builder
	for s != "" {
		if s[0] != '\\' {
			b.WriteByte(s[0])
			s = s[1:]
			continue
		}
		r, multibyte, tail, err := strconv.UnquoteChar(s, 0)
		if err != nil {
			return "", false
		}
		if multibyte {
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r))
		}
		s = tail
	}
	return b.String(), true
}

func unprintable(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }

func (t *tableWriter) line(cells []string) error {
	_, err := io.WriteString(t.tw, strings.Join(cells, "\t")+"\n")
	return err
}

func (t *tableWriter) Close() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	// As psql counts them: "(1 rows)" read as a typo at the end of a
	// one-row answer.
	unit := "rows"
	if t.n == 1 {
		unit = "row"
	}
	_, err := fmt.Fprintf(t.w, "(%d %s)\n", t.n, unit)
	return err
}
