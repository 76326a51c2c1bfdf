package postgres

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/synctrack/synctrack/dialects"
)

// copyStream is the binary COPY data of a recordSource's rows, read by
// pgconn's CopyFrom. It writes PostgreSQL's binary tuple format itself
// (each field a length and its bytes) instead of handing pgx one []any a
// row: pgx looks up an encode plan and boxes every value, which was a fifth
// of a large load's client CPU. The encodings are those of sync_records'
// column types in the dialect (TestCopyMatchesRecordsColumns holds the two
// together).
//
// pgconn reads it from a goroutine of its own and, when the server ends the
// COPY early (an error, a dropped connection), returns without waiting for
// that goroutine: finish waits out a Read in progress and makes later ones
// fail, so the source can be blamed and closed once CopyFrom returns.
type copyStream struct {
	mu     sync.Mutex
	src    *recordSource
	buf    []byte
	off    int
	header bool
	done   bool
	closed bool
}

// copyChunk is about what pgconn sends at once (64 KiB messages).
const copyChunk = 64 << 10

// errCopyFinished is a Read after finish.
var errCopyFinished = errors.New("copy finished")

// finish ends the stream: it returns once no Read is running, and every
// Read after it fails.
func (c *copyStream) finish() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}

func (c *copyStream) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, errCopyFinished
	}
	// Fill at least a chunk, or p whole if it is larger (or the loop below
	// would stop at a chunk while p still wanted more).
	want := max(copyChunk, len(p))
	for len(c.buf)-c.off < len(p) && !c.done {
		if c.off > 0 {
			c.buf = append(c.buf[:0], c.buf[c.off:]...)
			c.off = 0
		}
		if !c.header {
			c.buf = append(c.buf, "PGCOPY\n\377\r\n\000"...)
			c.buf = binary.BigEndian.AppendUint64(c.buf, 0) // flags, header extension length
			c.header = true
		}
		for len(c.buf) < want {
			var ok bool
			if c.buf, ok = c.src.appendNext(c.buf); !ok {
				if c.src.err != nil {
					return 0, c.src.err
				}
				c.buf = binary.BigEndian.AppendUint16(c.buf, 0xffff) // trailer
				c.done = true
				break
			}
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	if c.done && c.off == len(c.buf) {
		return n, io.EOF
	}
	return n, nil
}

// recordsCopy is the COPY statement of sync_records' columns, binary.
func recordsCopy(d dialects.Postgres, schema string) string {
	cols := make([]string, len(recordColumns))
	for i, c := range recordColumns {
		cols[i] = d.Ident(c)
	}
	return "COPY " + d.Table(schema, "sync_records") + " (" + strings.Join(cols, ", ") + ") FROM STDIN BINARY"
}

// The binary forms of sync_records' column types; a field is its length
// (int32, -1 for NULL) and that many bytes.

func appendNull(b []byte) []byte { return binary.BigEndian.AppendUint32(b, 0xffffffff) }

func appendText(b []byte, s string) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
}

// appendJSONB is jsonb's binary form: a version byte, 1, and the JSON text.
func appendJSONB(b []byte, s string) []byte {
	return append(append(binary.BigEndian.AppendUint32(b, uint32(len(s)+1)), 1), s...)
}

func appendInt8(b []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(b, 8), uint64(n))
}

// y2kMicros is 2000-01-01 UTC in microseconds since 1970: timestamptz
// counts microseconds from 2000.
const y2kMicros = 946_684_800 * 1_000_000

func appendTimestamptz(b []byte, t time.Time) []byte {
	return appendInt8(b, timestamptzMicros(t))
}

// timestamptzMicros is t as timestamptz stores it.
func timestamptzMicros(t time.Time) int64 {
	return t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - y2kMicros
}

// timestamptz's range in seconds from 2000, as PostgreSQL checks it
// (MIN_TIMESTAMP, END_TIMESTAMP): 4714-11-24 BC to 294277-01-01.
const (
	minTimestamptzSecs = -211_813_488_000
	endTimestamptzSecs = 9_223_371_331_200
)

// timestamptzMicrosIn is timestamptzMicros, false when t is outside
// timestamptz's range. Far enough outside it, timestamptzMicros wraps
// around int64 (an INT64 timestamp with its sign bit flipped) and could land
// inside it: a wrong instant PostgreSQL would store.
func timestamptzMicrosIn(t time.Time) (int64, bool) {
	s := t.Unix() - y2kMicros/1_000_000
	if s < minTimestamptzSecs || s >= endTimestamptzSecs {
		return 0, false
	}
	return s*1_000_000 + int64(t.Nanosecond())/1000, true
}

// microsTime is the instant a timestamptz of us microseconds stores.
func microsTime(us int64) time.Time { return time.UnixMicro(us + y2kMicros).UTC() }
