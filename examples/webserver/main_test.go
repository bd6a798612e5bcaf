package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun runs the program on a virtual clock, so its timings are exact.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `GET /hello: 200 {"message":"Hello, asyncio!"}
POST /process: 200 map[order:42] processed after 1s
GET /stream: Chunk 0  at 0s
GET /stream: Chunk 1  at 500ms
GET /stream: Chunk 2  at 1s
GET /stream: Chunk 3  at 1.5s
GET /stream: Chunk 4  at 2s
GET /stream: Chunk 5  at 2.5s
GET /stream: Chunk 6  at 3s
GET /stream: Chunk 7  at 3.5s
GET /stream: Chunk 8  at 4s
GET /stream: Chunk 9  at 4.5s
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
