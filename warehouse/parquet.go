package warehouse

import (
	"fmt"
	"io"

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
