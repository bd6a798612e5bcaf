package files_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/files"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestFileReadWriteSeek(t *testing.T) {
	dir := t.TempDir()
	asynciotest.Run(t, func(ctx context.Context) error {
		name := filepath.Join(dir, "f.txt")
		f, err := files.Open(ctx, name, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.Write(ctx, []byte("one\ntwo\nthree\n")); err != nil {
			return err
		}
		if _, err := f.Seek(ctx, 4, io.SeekStart); err != nil {
			return err
		}
		p := make([]byte, 3)
		if n, err := f.Read(ctx, p); n != 3 || string(p) != "two" || err != nil {
			t.Errorf("Read = %d %q, %v", n, p, err)
		}
		if n, err := f.ReadAt(ctx, p, 0); n != 3 || string(p) != "one" || err != nil {
			t.Errorf("ReadAt = %d %q, %v", n, p, err)
		}
		if rest, err := f.ReadAll(ctx); string(rest) != "\nthree\n" || err != nil {
			t.Errorf("ReadAll = %q, %v", rest, err)
		}
		f.Seek(ctx, 0, io.SeekStart)
		var lines []string
		for line, err := range f.Lines(ctx) {
			if err != nil {
				return err
			}
			lines = append(lines, string(line))
		}
		if len(lines) != 3 || lines[2] != "three" {
			t.Errorf("Lines = %q", lines)
		}
		if fi, err := f.Stat(ctx); err != nil || fi.Size() != 14 {
			t.Errorf("Stat = %v, %v", fi, err)
		}
		if err := f.Sync(ctx); err != nil {
			return err
		}
		if err := f.Close(ctx); err != nil {
			return err
		}
		// The helpers.
		moved := filepath.Join(dir, "sub", "g.txt")
		if err := files.MkdirAll(ctx, filepath.Dir(moved), 0o700); err != nil {
			return err
		}
		if err := files.Rename(ctx, name, moved); err != nil {
			return err
		}
		if b, err := files.ReadFile(ctx, moved); string(b) != "one\ntwo\nthree\n" || err != nil {
			t.Errorf("ReadFile = %q, %v", b, err)
		}
		if entries, err := files.ReadDir(ctx, filepath.Dir(moved)); err != nil || len(entries) != 1 {
			t.Errorf("ReadDir = %v, %v", entries, err)
		}
		if err := files.Remove(ctx, moved); err != nil {
			return err
		}
		if _, err := files.Stat(ctx, moved); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Stat of a removed file: %v", err)
		}
		if _, err := files.Open(ctx, moved, os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open of a removed file: %v", err)
		}
		return nil
	})
}

// A large file copied in chunks while a ticker task runs: the loop stays
// responsive, the copy is exact.
func TestFileCopyKeepsLoopResponsive(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	content := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		var worst time.Duration
		ticks := 0
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			for {
				start := loop.Time()
				if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
					return struct{}{}, nil
				}
				ticks++
				worst = max(worst, loop.Time()-start-time.Millisecond)
			}
		})
		began := loop.Time()
		in, err := files.Open(ctx, src, os.O_RDONLY, 0)
		if err != nil {
			return err
		}
		defer in.Close(ctx)
		out, err := files.Open(ctx, dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		for chunk, err := range in.Chunks(ctx, 1<<20) {
			if err != nil {
				return err
			}
			if _, err := out.Write(ctx, chunk); err != nil {
				return err
			}
		}
		if err := out.Close(ctx); err != nil {
			return err
		}
		took := loop.Time() - began
		ticker.Cancel()
		ticker.Wait(ctx)
		t.Logf("copied 64 MiB in %v; %d ticks of 1 ms meanwhile, worst lateness %v", took, ticks, worst)
		if ticks == 0 {
			t.Error("the loop never ran the ticker during the copy")
		}
		// A loop blocked by the copy would show most of the copy's time
		// as one timer's lateness; a responsive one, a few milliseconds.
		// The bound is relative: a loaded machine that keeps the loop's
		// thread off the CPU for a while is not the copy's fault.
		if worst > took/2 {
			t.Errorf("a timer was %v late during a copy of %v", worst, took)
		}
		got, err := files.ReadFile(ctx, dst)
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("copy differs (%d bytes), %v", len(got), err)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

// A read that ends short returns its bytes with io.EOF, and Chunks yields
// the last, short chunk.
func TestShortReads(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	content := bytes.Repeat([]byte("abc"), 50_000) // 150,000 bytes: two full chunks and a short one
	if err := os.WriteFile(name, content, 0o600); err != nil {
		t.Fatal(err)
	}
	asynciotest.Run(t, func(ctx context.Context) error {
		f, err := files.Open(ctx, name, os.O_RDONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close(ctx)
		p := make([]byte, 10)
		if n, err := f.ReadAt(ctx, p, int64(len(content))-4); n != 4 || err != io.EOF {
			t.Errorf("ReadAt at the end = %d, %v; want 4, io.EOF", n, err)
		}
		var got []byte
		for chunk, err := range f.Chunks(ctx, 64<<10) {
			if err != nil {
				return err
			}
			got = append(got, chunk...)
		}
		if !bytes.Equal(got, content) {
			t.Errorf("Chunks gave %d bytes, want %d", len(got), len(content))
		}
		return nil
	})
}
