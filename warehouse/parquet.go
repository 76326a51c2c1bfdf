package warehouse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// OpenParquet is parquet.OpenFile for a file from the bucket. parquet-go
// (v0.32) panics on some corrupt footers instead of returning an error
// (slice bounds out of range in its column loader); a bucket's bytes are
// untrusted and one file must not end the process, so such a panic is the
// file's error.
//
// Worse than a panic, parquet-go allocates what a footer claims before it
// reads it: a footer length of 4 GiB, a list of 2^31 schema elements. Such
// an allocation is not a panic but the runtime's fatal "out of memory",
// which no recover catches (or, where it succeeds, gigabytes for a file of
// kilobytes). So the footer is checked first (checkFooter): its length
// fits the file and no length or count in it claims more than its bytes
// hold.
//
// Page indexes and bloom filters are never read (every caller reads rows
// or pages in order): parquet-go reads all column indexes into one buffer
// of their summed lengths and makes row groups x columns slots for them,
// neither bounded (6 GiB from a 1.5 MB file), and decodes a bloom filter's
// header from wherever the footer points with no depth limit (a few MiB of
// nested structs overflow the goroutine's stack).
func OpenParquet(r io.ReaderAt, size int64) (pf *parquet.File, err error) {
	tail, err := checkFooter(r, size)
	if err != nil {
		return nil, err
	}
	if tail != nil {
		// parquet-go reads the footer again: from memory, not the file.
		r = &inMemory{r: r, start: size - int64(len(tail)), b: tail}
	}
	defer func() {
		if p := recover(); p != nil {
			pf, err = nil, corruptParquet(p)
		}
	}()
	return parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

// ReadParquet runs read, which reads the pages or rows of a bucket's file
// with parquet-go, and returns a panic in it as an error, as OpenParquet
// does. read must do nothing else: a bug of ours would read as a bad file.
func ReadParquet(read func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = corruptParquet(p)
		}
	}()
	return read()
}

func corruptParquet(p any) error {
	return fmt.Errorf("corrupt parquet: the parquet reader stopped on it (%v)", p)
}

// checkFooter checks what parquet-go would allocate by for the footer of a
// plain (PAR1) file: its length, and the lengths and counts in its thrift;
// it returns the file's tail, footer and trailer. Anything else (no magic,
// an encrypted footer) is left to parquet-go, which reads no further
// (nil, nil).
func checkFooter(r io.ReaderAt, size int64) ([]byte, error) {
	if size < 12 {
		return nil, nil
	}
	var trailer [8]byte
	if _, err := r.ReadAt(trailer[:], size-8); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil // parquet-go reads it again and says why
	}
	if string(trailer[4:]) != "PAR1" {
		return nil, nil
	}
	n := int64(binary.LittleEndian.Uint32(trailer[:4]))
	if n > size-12 {
		return nil, fmt.Errorf("corrupt parquet footer: it claims %d bytes, the file has %d", n, size)
	}
	tail := make([]byte, n+8)
	if k, _ := r.ReadAt(tail, size-8-n); int64(k) < n+8 {
		return nil, nil // parquet-go reads it again and says why
	}
	if _, err := checkThrift(tail[:n]); err != nil {
		return nil, fmt.Errorf("corrupt parquet footer: %w", err)
	}
	return tail, nil
}

// CheckColumnName refuses the name of a file's column i (from 0) that no
// engine can select it by: empty, with a NUL byte, or not UTF-8. The SQL
// would quote it as another name, or as "", and fail for a reason that is
// not the file's to the engine (a parser error stops a load).
func CheckColumnName(i int, name string) error {
	if name == "" || strings.ContainsRune(name, 0) || !utf8.ValidString(name) {
		return fmt.Errorf("column %d has a name no warehouse can select it by (%q: empty, a NUL byte, or not UTF-8)", i+1, name)
	}
	return nil
}

// MaxFileColumns bounds the top-level columns of a file synctrack loads.
// The vendor's records files have about ten (unknown ones go to _extra), a
// fact table's columns become the table's. A 5 MB records file of 20,000
// columns ran DuckDB out of its 512 MB reading it: a resource error, which
// stopped every load, each on that file again.
const MaxFileColumns = 1000

// ColumnNames are the names of pf's top-level columns, each checked by
// CheckColumnName, and refused when two differ only in case: engines
// match names without regard to case, so one would be read and the other
// dropped without a word. A file of more than MaxFileColumns is refused.
func ColumnNames(pf *parquet.File) ([]string, error) {
	fields := pf.Schema().Fields()
	if len(fields) > MaxFileColumns {
		return nil, fmt.Errorf("the file has %d columns, more than the %d synctrack reads", len(fields), MaxFileColumns)
	}
	var names []string
	seen := map[string]string{}
	for i, fld := range fields {
		name := fld.Name()
		if err := CheckColumnName(i, name); err != nil {
			return nil, err
		}
		lc := ASCIILower(name)
		if other, ok := seen[lc]; ok {
			return nil, fmt.Errorf("columns %q and %q differ only in case (or are the same name twice): no warehouse can tell them apart", other, name)
		}
		seen[lc] = name
		names = append(names, name)
	}
	return names, nil
}
