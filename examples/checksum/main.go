// Checksum computes the SHA-256 of many files in parallel: one task per
// file reads it in chunks with package files, so the reads overlap on the
// loop's executor, and a semaphore bounds how many files are open at once.
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/files"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "checksum:", err)
		os.Exit(1)
	}
}

// maxOpen bounds the files open at once.
const maxOpen = 4

// checksum returns the SHA-256 of the file name, read in 64 KiB chunks.
func checksum(ctx context.Context, name string) (string, error) {
	f, err := files.Open(ctx, name, os.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.Close(ctx)
	h := sha256.New()
	for chunk, err := range f.Chunks(ctx, 64<<10) {
		if err != nil {
			return "", err
		}
		h.Write(chunk)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

func run(out io.Writer, opts ...asyncio.Option) error {
	dir, err := os.MkdirTemp("", "checksum")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Twelve files of different sizes, up to 1.1 MiB.
	var names []string
	for i := range 12 {
		name := filepath.Join(dir, fmt.Sprintf("file%02d.txt", i))
		if err := os.WriteFile(name, []byte(strings.Repeat(fmt.Sprintf("line %d\n", i), i*15000)), 0o600); err != nil {
			return err
		}
		names = append(names, name)
	}
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		open := asyncio.NewSemaphore(maxOpen)
		var fns []func(context.Context) (string, error)
		for _, name := range names {
			fns = append(fns, func(ctx context.Context) (string, error) {
				if err := open.Acquire(ctx); err != nil {
					return "", err
				}
				defer open.Release()
				return checksum(ctx, name)
			})
		}
		sums, err := asyncio.Gather(ctx, fns...)
		if err != nil {
			return struct{}{}, err
		}
		for i, sum := range sums {
			fmt.Fprintf(out, "%s  %s\n", sum[:16], filepath.Base(names[i]))
		}
		return struct{}{}, nil
	}, opts...)
	return err
}
