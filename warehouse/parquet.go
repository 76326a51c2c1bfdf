package warehouse

import (
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
func OpenParquet(r io.ReaderAt, size int64, opts ...parquet.FileOption) (pf *parquet.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			pf, err = nil, corruptParquet(p)
		}
	}()
	return parquet.OpenFile(r, size, opts...)
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
