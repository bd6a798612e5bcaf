package files_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/files"
)

func Example() {
	dir, _ := os.MkdirTemp("", "files")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "notes.txt")
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if err := files.WriteFile(ctx, name, []byte("first\nsecond\n"), 0o600); err != nil {
			return struct{}{}, err
		}
		f, err := files.Open(ctx, name, os.O_RDONLY, 0)
		if err != nil {
			return struct{}{}, err
		}
		defer f.Close(ctx)
		for line, err := range f.Lines(ctx) {
			if err != nil {
				return struct{}{}, err
			}
			fmt.Println(string(line))
		}
		return struct{}{}, nil
	})
	// Output:
	// first
	// second
}
