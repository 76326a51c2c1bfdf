package gen

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"gocloud.dev/blob"
)

// job writes one object.
type job struct {
	file        File
	contentType string
	write       func(io.Writer) error
}

// Generate writes the bucket under b and returns what it wrote. Files are
// written concurrently; their bytes depend only on o. Options of more than
// MaxObjects objects are refused with ErrTooLarge.
func Generate(ctx context.Context, b *blob.Bucket, o Options) (*Manifest, error) {
	o = o.withDefaults()
	if _, ok := o.Objects(); !ok {
		return nil, fmt.Errorf("gen: %d orgs x %d syncs x %d runs x (%d files + metadata.json): %w",
			o.Orgs, o.SyncsPerOrg, o.RunsPerSync, o.FilesPerRun, ErrTooLarge)
	}
	jobs, err := jobsFor(ctx, o)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Runs: o.Orgs * o.SyncsPerOrg * o.RunsPerSync}
	for _, j := range jobs {
		m.Files = append(m.Files, j.file)
		if j.file.Kind == KindRecords {
			m.Rows += int64(j.file.Rows)
		}
	}
	if err := run(ctx, b, jobs, o.Workers); err != nil {
		return nil, err
	}
	return m, nil
}

// jobsFor plans the objects of a bucket in manifest order.
func jobsFor(ctx context.Context, o Options) ([]job, error) {
	o = o.withDefaults()
	p, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	var jobs []job
	for _, org := range p.orgs {
		for _, s := range org.syncs {
			for _, r := range s.runs {
				for _, f := range r.files {
					jobs = append(jobs, job{File{f.key, f.rows, KindRecords}, "application/vnd.apache.parquet",
						func(w io.Writer) error { return writeFile(w, f) }})
				}
				jobs = append(jobs, job{File{r.prefix + "metadata.json", 0, KindMetadata},
					"application/json", func(w io.Writer) error {
						b, err := metadataJSON(r)
						if err == nil {
							_, err = w.Write(b)
						}
						return err
					}})
			}
		}
		if !o.Facts {
			continue
		}
		for _, fj := range factJobs(org) {
			jobs = append(jobs, job{File{"metadata/" + org.id + "/" + fj.name + ".parquet", fj.rows, KindFact},
				"application/vnd.apache.parquet", fj.write})
		}
	}
	return jobs, nil
}

func run(ctx context.Context, b *blob.Bucket, jobs []job, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
		next     = make(chan job)
	)
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for j := range next {
				if err := put(ctx, b, j); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
feed:
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// put streams one object into the bucket; on error the blob write is
// aborted (its context is canceled before Close), so a failed job leaves no
// partial object. A cancelled ctx stops the write of the object too.
func put(ctx context.Context, b *blob.Bucket, j job) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.NewWriter(wctx, j.file.Key, &blob.WriterOptions{ContentType: j.contentType})
	if err != nil {
		return fmt.Errorf("gen: %s: %w", j.file.Key, err)
	}
	if err := j.write(ctxWriter{wctx, w}); err != nil {
		cancel()
		_ = w.Close()
		return fmt.Errorf("gen: %s: %w", j.file.Key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("gen: %s: %w", j.file.Key, err)
	}
	return nil
}

// ctxWriter fails once ctx is done: the blob drivers' writers do not watch
// it, and one records file of many rows (--rows) takes minutes to write.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
