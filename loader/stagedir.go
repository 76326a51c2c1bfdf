package loader

import (
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// stagePrefix names the staging areas a load makes in the temp folder.
const stagePrefix = "synctrack-stage-"

// stageLock is the file a load holds locked while its staging area is in
// use. The kernel lets go of the lock when the process ends, however it
// ends (kill -9, the OOM killer, a third Ctrl-C), so a staging area whose
// lock can be taken belongs to no running load.
const stageLock = ".lock"

// staleAfter is how old an unlocked lock file must be before its folder is
// removed: a load that has just made its folder has not locked it yet.
const staleAfter = time.Minute

// newStageDir makes a staging area in tmp, held by a lock until release,
// after removing those that loads killed before they could clean up left
// there (up to a batch of staged files each).
func newStageDir(tmp string, log *slog.Logger) (dir string, release func(), err error) {
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", nil, err
	}
	sweepStageDirs(tmp, log)
	dir, err = os.MkdirTemp(tmp, stagePrefix)
	if err != nil {
		return "", nil, err
	}
	unlock := lockStage(filepath.Join(dir, stageLock))
	return dir, func() {
		os.RemoveAll(dir)
		unlock()
	}, nil
}

// sweepStageDirs removes the staging areas in tmp that no running load
// holds. What it cannot remove is left for the next load.
func sweepStageDirs(tmp string, log *slog.Logger) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, stagePrefix+"*"))
	for _, d := range dirs {
		lock := filepath.Join(d, stageLock)
		fi, err := os.Stat(lock)
		if err != nil || time.Since(fi.ModTime()) < staleAfter {
			continue // not ours to judge (no lock), or being made now
		}
		if !tryStageLock(lock) {
			continue // a running load holds it
		}
		size := dirSize(d)
		if err := os.RemoveAll(d); err != nil {
			log.Warn("could not remove the staging area a killed load left", "dir", d, "error", err)
			continue
		}
		log.Info("removed the staging area a killed load left", "dir", d, "bytes", size)
	}
}

func dirSize(d string) int64 {
	var n int64
	filepath.WalkDir(d, func(_ string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
