package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/shellword"
)

func newGenerateCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "generate --out DIR",
		Short: "Write a realistic synthetic Sync Tracking bucket",
		Long: fmt.Sprintf(`Writes a synthetic Sync Tracking bucket: several orgs, syncs and runs, batch files
with succeeded, rejected (varied messages), NULL and DUPLICATE rows, metadata.json
in several key styles, fact tables, and the older shapes a loader must survive
(files without sync ids, unnumbered file names, integer identifiers, ms and
non-UTC timestamps, unknown columns, hostile payload field names).
The same --seed writes the same bytes. At most %d objects (orgs x syncs x runs
x (files + 1), and 3 fact tables an org): each is planned in memory first.
Rows cost disk, not memory: a bucket that would need more than the disk's free
space (at least 100 bytes a row) is refused before anything is written.

  synctrack generate --out /tmp/bucket --orgs 2 --syncs 3 --runs 3 --files 3 --rows 200
  synctrack load --bucket file:///tmp/bucket --warehouse duckdb://./sync-logs.duckdb`, gen.MaxObjects),
		Args: noArgs,
		RunE: runGenerate,
	}
	c.Flags().String("out", "", "directory to write the bucket into (created)")
	d := gen.DefaultOptions()
	c.Flags().Int("orgs", d.Orgs, "orgs")
	c.Flags().Int("syncs", d.SyncsPerOrg, "syncs per org")
	c.Flags().Int("runs", d.RunsPerSync, "runs per sync")
	c.Flags().Int("files", d.FilesPerRun, "records files per run")
	c.Flags().Int("rows", d.RowsPerFile, "rows per records file")
	c.Flags().Int64("seed", d.Seed, "random seed")
	return c
}

func generateOptions(cmd *cobra.Command) gen.Options {
	o := gen.DefaultOptions()
	o.Orgs, _ = cmd.Flags().GetInt("orgs")
	o.SyncsPerOrg, _ = cmd.Flags().GetInt("syncs")
	o.RunsPerSync, _ = cmd.Flags().GetInt("runs")
	o.FilesPerRun, _ = cmd.Flags().GetInt("files")
	o.RowsPerFile, _ = cmd.Flags().GetInt("rows")
	o.Seed, _ = cmd.Flags().GetInt64("seed")
	return o
}

func runGenerate(cmd *cobra.Command, _ []string) error {
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		return usageError("generate: --out DIR is required")
	}
	if err := literalTilde("out", out); err != nil {
		return err
	}
	// gen fills a zero with its default: a count asked for is at least 1.
	if err := atLeastOne(cmd, "orgs", "syncs", "runs", "files", "rows"); err != nil {
		return err
	}
	o := generateOptions(cmd)
	if _, ok := o.Objects(); !ok {
		return usageError("generate: --orgs %d x --syncs %d x --runs %d x (--files %d + a metadata.json), and 3 fact tables an org, is over %d objects: "+
			"generate plans every object in memory before it writes one",
			o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, gen.MaxObjects)
	}
	m, dir, err := generateInto(cmd, out, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %d objects, %d runs, %d records rows to %s\nload it with: %s load --bucket %s --warehouse duckdb://./sync-logs.duckdb\n",
		len(m.Files), m.Runs, m.Rows, dir, shellword.Quote(os.Args[0]), shellword.Quote("file://"+dir))
	return nil
}

// bytesPerRow is less than a generated records row takes on disk (140-170
// bytes measured, with its share of the files' metadata): a bucket that
// needs more than the disk has at this rate cannot be written.
const bytesPerRow = 100

// roomFor refuses, before the folder is made, a bucket that cannot fit on
// the disk that would hold abs: --rows is not bounded by memory, only by
// the disk, which a typo (--rows 1000000000) would otherwise fill, file by
// file.
func roomFor(abs, dir string, o gen.Options) error {
	var st syscall.Statfs_t
	for p := abs; syscall.Statfs(p, &st) != nil; p = filepath.Dir(p) {
		if p == filepath.Dir(p) {
			return nil // no figure to check against: the writes will say
		}
	}
	n, _ := o.Objects()
	rows := float64(o.Orgs) * float64(o.SyncsPerOrg) * float64(o.RunsPerSync) * float64(o.FilesPerRun) * float64(o.RowsPerFile)
	need, free := rows*bytesPerRow, float64(st.Bavail)*float64(st.Bsize)
	if need <= free {
		return nil
	}
	count := fmt.Sprintf("%.0f", rows)
	if rows >= 1e15 {
		count = fmt.Sprintf("%.3g", rows)
	}
	return usageError("generate: %s records rows in %d objects need at least %s, and the disk of %s has %s free: ask for fewer --rows or --files, or give --out on a larger disk",
		count, n, humanBytes(int64(min(need, 1<<62))), dir, humanBytes(int64(free)))
}

// generateInto writes a bucket into dir through the file:// driver, as the
// vendor writes through an object store.
func generateInto(cmd *cobra.Command, dir string, o gen.Options) (*gen.Manifest, string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", err
	}
	if err := roomFor(abs, dir, o); err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, "", usageError("generate: --out %s: %v", dir, err) // a file there, or no permission
	}
	b, _, err := openBucket(cmd.Context(), "file://"+filepath.ToSlash(abs)+"?metadata=skip", nil)
	if err != nil {
		return nil, "", err
	}
	defer b.Close()
	m, err := gen.Generate(cmd.Context(), b, o)
	if err != nil {
		return nil, "", fmt.Errorf("generate: %w", err)
	}
	return m, abs, nil
}
