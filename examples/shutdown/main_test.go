//go:build unix

package main

import (
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestOutput(t *testing.T) {
	var out strings.Builder
	if err := run(&out, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	want := `[ 0.0s] queued job 1
[ 0.0s] worker 1 started job 1
[ 1.0s] queued job 2
[ 1.0s] worker 2 started job 2
[ 1.2s] worker 1 finished job 1
[ 2.0s] queued job 3
[ 2.0s] worker 1 started job 3
[ 2.2s] worker 2 finished job 2
[ 2.5s] sending SIGTERM to ourselves, as kill would
[ 2.5s] received terminated: no new jobs, finishing the others
[ 2.5s] worker 2 stopped
[ 3.2s] worker 1 finished job 3
[ 3.2s] worker 1 stopped
[ 3.2s] every worker stopped: clean exit
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
