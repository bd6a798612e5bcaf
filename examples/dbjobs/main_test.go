package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"github.com/asyncio-go/asyncio/internal/servicetest"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun runs the feed against the PostgreSQL server of TEST_POSTGRES_URL
// (by default the project machines' own): every job added is taken once,
// in order.
func TestRun(t *testing.T) {
	u := servicetest.URL(t, "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL")
	var buf bytes.Buffer
	if err := run(&buf, u); err != nil {
		t.Fatal(err)
	}
	// The producer and the worker interleave as the loop schedules them;
	// each side's lines come in order.
	var producer, worker []string
	for line := range strings.Lines(buf.String()) {
		switch {
		case strings.HasPrefix(line, "producer: "):
			producer = append(producer, line)
		case strings.HasPrefix(line, "worker: "):
			worker = append(worker, line)
		}
	}
	const wantProducer = `producer: job 1 added: resize photo-1.jpg
producer: job 2 added: resize photo-2.jpg
producer: job 3 added: send welcome mail
producer: job 4 added: rebuild index
producer: job 5 added: resize photo-3.jpg
`
	const wantWorker = `worker: job 1 done: resize photo-1.jpg
worker: job 2 done: resize photo-2.jpg
worker: job 3 done: send welcome mail
worker: job 4 done: rebuild index
worker: job 5 done: resize photo-3.jpg
`
	if got := strings.Join(producer, ""); got != wantProducer {
		t.Errorf("producer:\n%s\nwant:\n%s", got, wantProducer)
	}
	if got := strings.Join(worker, ""); got != wantWorker {
		t.Errorf("worker:\n%s\nwant:\n%s", got, wantWorker)
	}
	if !strings.HasSuffix(buf.String(), "worker took 5 jobs; 5 done in the table\n") {
		t.Errorf("output:\n%s", buf.String())
	}
}
