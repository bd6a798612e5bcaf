package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/files"
)

// procSpawn starts `true` n times, one after another, each with its
// output piped and collected by Communicate, and reports spawns per second.
func procSpawn(ctx context.Context, n int) (map[string]any, error) {
	start := time.Now()
	for range n {
		p, err := asyncio.CreateSubprocessExec(ctx, "true", nil, asyncio.Stdout(asyncio.Pipe))
		if err != nil {
			return nil, err
		}
		if _, _, err := p.Communicate(ctx, nil); err != nil {
			return nil, err
		}
	}
	d := time.Since(start)
	return map[string]any{"workload": "proc-spawn", "n": n, "seconds": d.Seconds(), "per_s": float64(n) / d.Seconds()}, nil
}

// procPipe reads n MiB from a child's standard output in 64 KiB reads and
// reports MiB per second.
func procPipe(ctx context.Context, n int) (map[string]any, error) {
	start := time.Now()
	p, err := asyncio.CreateSubprocessExec(ctx, "head", []string{"-c", strconv.Itoa(n << 20), "/dev/zero"}, asyncio.Stdout(asyncio.Pipe))
	if err != nil {
		return nil, err
	}
	total := 0
	for {
		b, err := p.Stdout.Read(ctx, 64<<10)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		total += len(b)
	}
	p.Wait(ctx)
	d := time.Since(start)
	return map[string]any{"workload": "proc-pipe", "mib": total >> 20, "seconds": d.Seconds(), "mib_per_s": float64(total>>20) / d.Seconds()}, nil
}

// fileRead reads a file of n MiB in 1 MiB chunks with package files, then
// with *os.File directly on the loop's goroutine, and reports both rates.
func fileRead(ctx context.Context, n int) (map[string]any, error) {
	f, err := os.CreateTemp("", "asyncio-bench")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	chunk := make([]byte, 1<<20)
	for range n {
		f.Write(chunk)
	}
	f.Close()
	start := time.Now()
	af, err := files.Open(ctx, f.Name(), os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	for _, err := range af.Chunks(ctx, 1<<20) {
		if err != nil {
			return nil, err
		}
	}
	af.Close(ctx)
	viaFiles := time.Since(start)
	start = time.Now()
	of, err := os.Open(f.Name())
	if err != nil {
		return nil, err
	}
	for {
		k, err := of.Read(chunk)
		if k == 0 || err != nil {
			break
		}
	}
	of.Close()
	direct := time.Since(start)
	return map[string]any{"workload": "file-read", "mib": n,
		"files_mib_per_s": float64(n) / viaFiles.Seconds(), "direct_mib_per_s": float64(n) / direct.Seconds()}, nil
}
