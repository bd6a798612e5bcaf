// Package files reads and writes files from asyncio tasks without
// blocking the loop, in the manner of Python's aiofiles: every call that
// may block on the disk runs on the loop's executor (asyncio.ToThread), and
// the task waits for it while the loop goes on with other tasks.
//
// Regular files have no readiness to wait for (epoll refuses them, and a
// read from the page cache never reports "would block"), so a thread is
// the mechanism asyncio, aiofiles, libuv and tokio all use for them.
package files

import (
	"bufio"
	"context"
	"io"
	"iter"
	"os"

	"github.com/asyncio-go/asyncio"
)

// A File is an open file whose calls wait in the calling task. A File is
// used by one task at a time, as an *os.File by one goroutine.
type File struct {
	f *os.File
}

// Open opens name as os.OpenFile does, off the loop.
func Open(ctx context.Context, name string, flag int, perm os.FileMode) (*File, error) {
	f, err := asyncio.ToThread(ctx, func() (*os.File, error) { return os.OpenFile(name, flag, perm) })
	if err != nil {
		return nil, err
	}
	return &File{f: f}, nil
}

// Name returns the file's name.
func (f *File) Name() string { return f.f.Name() }

// Read reads up to len(p) bytes into p; it returns 0, io.EOF at the end.
func (f *File) Read(ctx context.Context, p []byte) (int, error) {
	return count(ctx, func() (int, error) { return f.f.Read(p) })
}

// ReadAt reads len(p) bytes at offset off, as io.ReaderAt.
func (f *File) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	return count(ctx, func() (int, error) { return f.f.ReadAt(p, off) })
}

// Write writes p.
func (f *File) Write(ctx context.Context, p []byte) (int, error) {
	return count(ctx, func() (int, error) { return f.f.Write(p) })
}

// Seek sets the offset of the next Read or Write, as io.Seeker.
func (f *File) Seek(ctx context.Context, offset int64, whence int) (int64, error) {
	return asyncio.ToThread(ctx, func() (int64, error) { return f.f.Seek(offset, whence) })
}

// Sync commits the file's contents to stable storage.
func (f *File) Sync(ctx context.Context) error {
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) { return struct{}{}, f.f.Sync() })
	return err
}

// Stat returns the file's FileInfo.
func (f *File) Stat(ctx context.Context) (os.FileInfo, error) {
	return asyncio.ToThread(ctx, f.f.Stat)
}

// ReadAll reads from the current offset to the end.
func (f *File) ReadAll(ctx context.Context) ([]byte, error) {
	return asyncio.ToThread(ctx, func() ([]byte, error) { return io.ReadAll(f.f) })
}

// Chunks yields the rest of the file in chunks of up to size bytes, each
// read off the loop; the slice is reused, valid until the next iteration.
// An error ends the iteration with it.
func (f *File) Chunks(ctx context.Context, size int) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		buf := make([]byte, size)
		for {
			n, err := count(ctx, func() (int, error) { return io.ReadFull(f.f, buf) })
			if n > 0 && !yield(buf[:n], nil) {
				return
			}
			switch err {
			case nil:
			case io.EOF, io.ErrUnexpectedEOF:
				return
			default:
				yield(nil, err)
				return
			}
		}
	}
}

// Lines yields the rest of the file line by line, without the line ending,
// as bufio.Scanner splits it; a 64 KiB block is read off the loop whenever
// the buffered lines run out. The slice is valid until the next iteration.
func (f *File) Lines(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		s := bufio.NewScanner(ctxReader{ctx, f})
		for s.Scan() {
			if !yield(s.Bytes(), nil) {
				return
			}
		}
		if err := s.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// ctxReader is f bound to a ctx, as an io.Reader.
type ctxReader struct {
	ctx context.Context
	f   *File
}

func (r ctxReader) Read(p []byte) (int, error) { return r.f.Read(r.ctx, p) }

// Close closes the file.
func (f *File) Close(ctx context.Context) error {
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) { return struct{}{}, f.f.Close() })
	return err
}

// OSFile returns the underlying *os.File, for asyncio.Sendfile and the
// like. Calls on it block whoever makes them.
func (f *File) OSFile() *os.File { return f.f }

// count runs an I/O call off the loop and returns both its count and its
// error: a short read comes with io.EOF, and ToThread alone would drop the
// count of a call that fails.
func count(ctx context.Context, fn func() (int, error)) (int, error) {
	type result struct {
		n   int
		err error
	}
	r, err := asyncio.ToThread(ctx, func() (result, error) {
		n, err := fn()
		return result{n, err}, nil
	})
	if err != nil {
		return 0, err // ctx ended first
	}
	return r.n, r.err
}
