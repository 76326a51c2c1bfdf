package duckdb

import (
	"os"
	"syscall"
)

// changeTime is a file's inode change time in nanoseconds (0 if unknown).
func changeTime(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano()
	}
	return 0
}
