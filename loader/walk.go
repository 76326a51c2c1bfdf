package loader

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// walkPrefix lists the files under prefix of the file:// bucket whose
// folder is root, in key order, each under its own path in the folder.
//
// It is not gocloud's fileblob listing, which decodes a name that looks
// like its own escapes ("__0x39__" read as "9"): a run folder 88__0x39__1
// was listed as 8891, which no read found, so its files were "gone since
// the listing" on every load, never loaded and never failed. Otherwise it
// lists what fileblob lists: a symbolic link as a file (not followed), not
// fileblob's own ".attrs" files. Unlike fileblob, a folder that can hold an
// object and cannot be read fails the listing (fileblob lists it as empty).
// Each folder is read once, whole, in one pass: no pages, so no folder is
// walked again per page.
func walkPrefix(ctx context.Context, root, prefix string, fn func(Object) error) error {
	folder := prefix[:strings.LastIndex(prefix, "/")+1] // "" for the bucket's top
	dir := filepath.Join(root, filepath.FromSlash(folder))
	if rel, err := filepath.Rel(root, dir); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return BucketError(fmt.Errorf("list %s: the prefix leads out of the bucket's folder", prefix))
	}
	// The prefix's own folder as fileblob takes it: a link to a folder
	// there is not followed.
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return BucketError(fmt.Errorf("list %s: %w", prefix, err))
	case !fi.IsDir():
		return nil
	}
	return walkFolder(ctx, root, folder, prefix, fn)
}

// walkFolder lists the folder with the key folder (ending in "/", or ""),
// and its subfolders in turn, keeping the keys that begin with prefix.
func walkFolder(ctx context.Context, root, folder, prefix string, fn func(Object) error) error {
	if err := ctx.Err(); err != nil {
		return BucketError(fmt.Errorf("list %s: %w", prefix, err))
	}
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(folder)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // gone since its parent was read
	case err != nil && holdsObjects(folder):
		// Unreadable (no permission, no descriptor left, an I/O error): a
		// folder listed as empty would make its loaded fact files gone,
		// their rows deleted, so the listing fails (a config error for no
		// permission: BucketError).
		return BucketError(fmt.Errorf("list %s: %w", folder, err))
	case err != nil:
		return nil // deeper than any object a load reads
	}
	type entry struct {
		key string
		de  fs.DirEntry
	}
	keys := make([]entry, 0, len(entries))
	for _, de := range entries {
		key := folder + de.Name()
		if de.IsDir() {
			key += "/"
		} else if strings.HasSuffix(key, ".attrs") {
			continue // fileblob's metadata of the file beside it
		}
		if strings.HasPrefix(key, prefix) || (de.IsDir() && strings.HasPrefix(prefix, key)) {
			keys = append(keys, entry{key, de})
		}
	}
	// A folder's key ends in "/": "r-2/x" comes before "r/x", though the
	// folder r is read before r-2.
	sort.Slice(keys, func(i, j int) bool { return keys[i].key < keys[j].key })
	for _, e := range keys {
		if e.de.IsDir() {
			err = walkFolder(ctx, root, e.key, prefix, fn)
		} else {
			err = walkFile(e.key, e.de, fn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func walkFile(key string, de fs.DirEntry, fn func(Object) error) error {
	fi, err := de.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil // deleted since its folder was read
	}
	if err != nil {
		return BucketError(fmt.Errorf("list %s: %w", key, err))
	}
	o := Classify(key)
	o.Size, o.ModTime, o.ETag = fi.Size(), fi.ModTime().UTC(), fileETag(fi)
	return fn(o)
}
