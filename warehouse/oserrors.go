package warehouse

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// OSRules classify what the operating system and the network say, whichever
// engine or bucket passed it on. Engines put their own table first.
var OSRules = []Rule{
	{Class: Resource, Reason: "disk_full", Match: isErrno(syscall.ENOSPC, syscall.EDQUOT),
		Contains: []string{"no space left on device", "disk quota exceeded"},
		Hint:     "free disk space where the warehouse file and the staging directory (--stage-dir, else the temp dir) live, then load again: nothing was blamed on any object"},
	{Class: Resource, Reason: "memory", Match: isErrno(syscall.ENOMEM),
		Contains: []string{"out of memory", "cannot allocate memory"},
		Hint:     "give the process more memory, or lower memory_limit= in the warehouse URL or --batch-bytes"},
	{Class: Resource, Reason: "open_files", Match: isErrno(syscall.EMFILE, syscall.ENFILE),
		Contains: []string{"too many open files"},
		Hint:     "raise the open-files limit (ulimit -n; LimitNOFILE= in a systemd unit) or lower --workers, then load again: nothing was blamed on any object"},
	{Class: Config, Reason: "permission", Match: isErrno(syscall.EACCES, syscall.EPERM, syscall.EROFS),
		Contains: []string{"permission denied", "read-only file system", "operation not permitted"},
		Hint:     "make the warehouse file, its directory and the staging directory writable by the user synctrack runs as"},
	// A disk or a mount that fails under a file (the bucket's folder on
	// NFS or FUSE, the warehouse file): DuckDB names the .parquet it read
	// from, and the words left to the data rules made the file's, failed
	// and in the end quarantined.
	{Class: Resource, Reason: "io", Match: isErrno(syscall.EIO),
		Contains: []string{"input/output error"},
		Hint:     "the disk or mount under the bucket's folder, the warehouse file or the staging directory failed a read or a write (see dmesg); check it, then load again: nothing was blamed on any object"},
	{Class: Transient, Reason: "mount", Match: isErrno(syscall.ESTALE, syscall.ENOTCONN),
		Contains: []string{"stale file handle", "transport endpoint is not connected"},
		Hint:     "a network or FUSE mount (NFS, sshfs, s3fs) did not answer or lost its file handles; the next load tries again"},
	{Class: Transient, Reason: "timeout", Match: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		Hint: "the service took too long to answer; the next load tries again"},
	{Class: Transient, Reason: "network", Match: isNetwork,
		Contains: []string{"connection refused", "connection reset", "broken pipe", "i/o timeout", "tls handshake timeout",
			"no such host", "server closed idle connection", "http2: "},
		Hint: "the network or the service did not answer; the next load tries again"},
}

func isErrno(errs ...syscall.Errno) func(error) bool {
	return func(err error) bool {
		for _, e := range errs {
			if errors.Is(err, e) {
				return true
			}
		}
		return false
	}
}

// networkErrnos are the errnos that are the network's whatever call got
// them.
var networkErrnos = []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN}

func isNetwork(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) || isErrno(networkErrnos...)(err) {
		return true
	}
	// syscall.Errno has Timeout and Temporary, so every errno is a
	// net.Error: a file that is not there (ENOENT) or is a folder (EISDIR)
	// would read as the network not answering. Only a net.Error that is not
	// a bare errno says the network.
	var ne net.Error
	if !errors.As(err, &ne) {
		return false
	}
	_, errno := ne.(syscall.Errno)
	return !errno
}
