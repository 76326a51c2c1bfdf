package loader_test

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/synctrack/synctrack/gen"
	"github.com/synctrack/synctrack/internal/badparquet"
	"github.com/synctrack/synctrack/internal/testbucket"
	"github.com/synctrack/synctrack/loader"
)

// FuzzLoadCorruptParquet loads a small bucket into DuckDB with one file (a
// records file, or with the first byte odd a fact file) changed by the
// fuzzer: from the second byte on, triples of a big-endian position (taken
// modulo the file's length) and a byte to XOR there; a first byte of 0xFF
// cuts the file at the first triple's position instead. Whatever the bytes,
// the load ends without an error (the file fails alone or loads), no other
// file fails, every other file's rows load, the counts tables agree with
// sync_log file by file, and a second load changes none of it. Found by a
// harness of whole loads (RELIABILITY.md): a footer parquet-go panicked on
// (seeded here), a page header DuckDB ran out of memory on, an empty column
// name.
func FuzzLoadCorruptParquet(f *testing.F) {
	if testing.Short() {
		f.Skip("loads a bucket per input")
	}
	o := smallOptions()
	o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, o.RowsPerFile = 1, 1, 2, 2, 40
	url, dir := testbucket.Dir(f)
	if _, err := gen.Generate(context.Background(), testbucket.Open(f, url), o); err != nil {
		f.Fatal(err)
	}
	records, err := filepath.Glob(filepath.Join(dir, "sync_tracking_datasets", "*", "*", "*", "*.*.parquet"))
	if err != nil || len(records) < 2 {
		f.Fatalf("records files: %v %v", records, err)
	}
	facts, err := filepath.Glob(filepath.Join(dir, "metadata", "*", "destinations.parquet"))
	if err != nil || len(facts) != 1 {
		f.Fatalf("fact files: %v %v", facts, err)
	}
	targets := []string{records[0], facts[0]}
	originals := make([][]byte, len(targets))
	for i, p := range targets {
		if originals[i], err = os.ReadFile(p); err != nil {
			f.Fatal(err)
		}
	}
	// The rows of the records files other than each target's: all of them
	// for the fact file.
	want := make([]string, len(targets))
	probe := openWarehouse(f).DB()
	for i := range targets {
		q := `SELECT count(*) FROM read_parquet(` + rawGlob(dir) + `) WHERE filename <> ?`
		if err := probe.QueryRow(q, targets[i]).Scan(&want[i]); err != nil {
			f.Fatal(err)
		}
	}
	// Seeds: nothing changed; the root schema's child count made -4 (the
	// footer parquet-go v0.32 panicked on) in each target; a cut file.
	f.Add([]byte{0})
	f.Add([]byte{1, 0, 0, 0x80})
	for i, orig := range originals {
		neg, err := badparquet.NegativeChildren(orig)
		if err != nil || len(neg) != len(orig) {
			f.Fatalf("seed %d: %v (length %d, want %d)", i, err, len(neg), len(orig))
		}
		seed := []byte{byte(i)}
		for p := range orig {
			if d := orig[p] ^ neg[p]; d != 0 {
				seed = binary.BigEndian.AppendUint16(seed, uint16(p))
				seed = append(seed, d)
			}
		}
		f.Add(seed)
	}
	f.Add([]byte{0xFF, 0, 200, 0})

	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 || len(ops) > 64 {
			return
		}
		ti := int(ops[0] & 1)
		if ops[0] == 0xFF {
			ti = 0
		}
		data := append([]byte(nil), originals[ti]...)
		if ops[0] == 0xFF {
			if len(ops) >= 3 {
				data = data[:int(binary.BigEndian.Uint16(ops[1:]))%len(data)]
			}
		} else {
			for k := 1; k+3 <= len(ops); k += 3 {
				data[int(binary.BigEndian.Uint16(ops[k:]))%len(data)] ^= ops[k+2]
			}
		}
		if err := os.WriteFile(targets[ti], data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(targets[ti], originals[ti], 0o644)
		key, _ := filepath.Rel(dir, targets[ti])
		key = filepath.ToSlash(key)

		w := openWarehouse(t)
		db := w.DB()
		b := testbucket.Open(t, url)
		var rows string
		for try := 1; try <= 2; try++ {
			rep, err := loader.New(b, dir, w, loader.Options{}).Load(context.Background())
			if err != nil {
				t.Fatalf("load %d ended with an error: %v", try, err)
			}
			for _, fl := range rep.Failed {
				if fl.Key != key {
					t.Fatalf("load %d: %s failed (%v), only %s was changed", try, fl.Key, fl.Err, key)
				}
			}
			if n := one(t, db, `SELECT count(*) FROM synctrack.sync_records WHERE _file <> ?`, key); n != want[ti] {
				t.Fatalf("load %d: %s rows of the other files, want %s", try, n, want[ti])
			}
			if n := one(t, db, countsDisagree); n != "0" {
				t.Fatalf("load %d: %s (file, outcome) groups where the counts disagree with sync_log", try, n)
			}
			now := one(t, db, `SELECT count(*) FROM synctrack.sync_records`)
			if try == 2 && now != rows {
				t.Fatalf("second load: %s rows, first %s", now, rows)
			}
			rows = now
		}
	})
}
