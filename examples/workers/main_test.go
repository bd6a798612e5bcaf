//go:build unix && !solaris && !illumos

package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// counts matches the line whose numbers depend on the kernel's hash.
var counts = regexp.MustCompile(`(?m)^Connections: worker 0 answered (\d+), worker 1 answered (\d+)$`)

func TestOutput(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	m := counts.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no line of counts in:\n%s", got)
	}
	total := 0
	for i, s := range m[1:] {
		n, _ := strconv.Atoi(s)
		if n == 0 {
			t.Errorf("worker %d answered no connection", i)
		}
		total += n
	}
	if total < connections {
		t.Errorf("%d connections answered, want at least %d", total, connections)
	}
	want := `2 workers serve 127.0.0.1 (a free port), each on its own loop and OS thread
Loops of the process: 2
Connections: worker 0 answered N, worker 1 answered M
Workers stopped; loops of the process: 1
`
	got = counts.ReplaceAllString(got, "Connections: worker 0 answered N, worker 1 answered M")
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
