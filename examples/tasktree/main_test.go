package main

import (
	"bytes"
	"regexp"
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
	// Loops are numbered per process: the test's may not be the first.
	got := regexp.MustCompile(`(?m)^loop \d+:`).ReplaceAllString(buf.String(), "loop N:")
	const want = `== asyncio ps ==
loop N: 8 tasks, loop time 3.5s
ID  NAME        STATE    WAIT          WAITS FOR           FOR   PARENT
1   main        running  -             -                   -     -
2   producer    waiting  Queue.Put     -                   3.5s  main
3   supervisor  waiting  children      worker-1, worker-2  3.5s  main
4   janitor     waiting  Sleep         -                   3.5s  main
5   alice       waiting  Lock.Acquire  bob                 3.5s  main
6   bob         waiting  Lock.Acquire  alice               3.5s  main
7   worker-1    waiting  Sleep         -                   3.5s  supervisor
8   worker-2    waiting  Lock.Acquire  worker-1            2.5s  supervisor
await cycle: alice (#5) → bob (#6) → alice (#5)

== asyncio pstree ==
loop N: 8 tasks, loop time 3.5s
└── main (#1) running
    ├── producer (#2) waiting in Queue.Put, 3.5s
    ├── supervisor (#3) waiting in children for worker-1, worker-2, 3.5s
    │   ├── worker-1 (#7) waiting in Sleep, 3.5s
    │   └── worker-2 (#8) waiting in Lock.Acquire for worker-1, 2.5s
    ├── janitor (#4) waiting in Sleep, 3.5s
    ├── alice (#5) waiting in Lock.Acquire for bob, 3.5s
    └── bob (#6) waiting in Lock.Acquire for alice, 3.5s
await cycle: alice (#5) → bob (#6) → alice (#5)
`
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
