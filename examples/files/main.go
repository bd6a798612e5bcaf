// Files shows aiofiles-style file I/O with package files: a task writes a
// file, appends to it and reads it back line by line, while another task
// keeps ticking, because every disk call runs off the loop.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/files"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "files:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, opts ...asyncio.Option) error {
	dir, err := os.MkdirTemp("", "files-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "journal.txt")
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if err := files.WriteFile(ctx, name, []byte("monday: wrote the loop\n"), 0o600); err != nil {
			return struct{}{}, err
		}
		f, err := files.Open(ctx, name, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return struct{}{}, err
		}
		for _, day := range []string{"tuesday: tasks", "wednesday: files"} {
			if _, err := f.Write(ctx, []byte(day+"\n")); err != nil {
				return struct{}{}, err
			}
		}
		if err := f.Close(ctx); err != nil {
			return struct{}{}, err
		}
		f, err = files.Open(ctx, name, os.O_RDONLY, 0)
		if err != nil {
			return struct{}{}, err
		}
		defer f.Close(ctx)
		n := 0
		for line, err := range f.Lines(ctx) {
			if err != nil {
				return struct{}{}, err
			}
			n++
			fmt.Fprintf(out, "%d %s\n", n, line)
		}
		fi, err := files.Stat(ctx, name)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(out, "%s: %d lines, %d bytes\n", filepath.Base(name), n, fi.Size())
		return struct{}{}, nil
	}, opts...)
	return err
}
