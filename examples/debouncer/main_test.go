package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `0s     typed "g"
100ms  typed "go"
400ms  search "go"...
550ms  results for "go"
900ms  typed "go "
1s     typed "go a"
1.1s   typed "go as"
1.2s   typed "go asy"
1.3s   typed "go asyn"
1.4s   typed "go async"
1.7s   search "go async"...
1.85s  results for "go async"
8 keystrokes, 2 searches
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
