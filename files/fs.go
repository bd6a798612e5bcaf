package files

import (
	"context"
	"os"

	"github.com/asyncio-go/asyncio"
)

// ReadFile reads the whole file name, off the loop (os.ReadFile).
func ReadFile(ctx context.Context, name string) ([]byte, error) {
	return asyncio.ToThread(ctx, func() ([]byte, error) { return os.ReadFile(name) })
}

// WriteFile writes data to name, off the loop (os.WriteFile).
func WriteFile(ctx context.Context, name string, data []byte, perm os.FileMode) error {
	return do(ctx, func() error { return os.WriteFile(name, data, perm) })
}

// Stat returns the FileInfo of name, off the loop (os.Stat).
func Stat(ctx context.Context, name string) (os.FileInfo, error) {
	return asyncio.ToThread(ctx, func() (os.FileInfo, error) { return os.Stat(name) })
}

// Rename renames oldpath to newpath, off the loop (os.Rename).
func Rename(ctx context.Context, oldpath, newpath string) error {
	return do(ctx, func() error { return os.Rename(oldpath, newpath) })
}

// Remove removes name, off the loop (os.Remove).
func Remove(ctx context.Context, name string) error {
	return do(ctx, func() error { return os.Remove(name) })
}

// MkdirAll makes the directory path and its parents, off the loop
// (os.MkdirAll).
func MkdirAll(ctx context.Context, path string, perm os.FileMode) error {
	return do(ctx, func() error { return os.MkdirAll(path, perm) })
}

// ReadDir reads the directory name, off the loop (os.ReadDir).
func ReadDir(ctx context.Context, name string) ([]os.DirEntry, error) {
	return asyncio.ToThread(ctx, func() ([]os.DirEntry, error) { return os.ReadDir(name) })
}

func do(ctx context.Context, fn func() error) error {
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}
