package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"github.com/asyncio-go/asyncio/internal/servicetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// childEnv marks a process started by TestRun as a worker: the test
// binary runs the program's command line instead of the tests.
const childEnv = "JOBSFANOUT_TEST_ROLE"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := cli(os.Args[1:], os.Stdout, os.Stderr, command{}); err != nil {
			os.Stderr.WriteString("jobsfanout: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	leakcheck.Main(m)
}

// TestRun runs the program as `go run` does, its workers in processes of
// their own (this test binary, started again), and checks its output to
// the letter, then that it deleted its queue.
func TestRun(t *testing.T) {
	u := servicetest.URL(t, "NATS_URL", "nats://127.0.0.1:4222", "NATS server with JetStream")
	var b [4]byte
	rand.Read(b[:])
	queue := "example-jobsfanout-" + hex.EncodeToString(b[:])
	t.Cleanup(func() { // in case the program did not get to it
		if nc, err := nats.Connect(u); err == nil {
			for _, s := range []string{queue, queue + "_dead", queue + "_later", queue + "_later_dead", "KV_" + queue + "_results"} {
				nc.Request("$JS.API.STREAM.DELETE."+s, nil, 5*time.Second)
			}
			nc.Close()
		}
	})
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out, log bytes.Buffer
	err = cli([]string{"-queue", queue, "-nats", u}, &out, &log, command{path: self, env: append(os.Environ(), childEnv+"=1")})
	if err != nil {
		t.Fatalf("%v\noutput:\n%s\n%s", err, out.String(), log.String())
	}
	const want = `4 workers ready
10000 jobs enqueued and 10000 results back
steps in all: 849666; the longest: 261 steps, from 6171; checksum 5baf492b17541514
the same as computed here
4 workers stopped
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
	// The spread over the workers changes from run to run; the jobs run
	// add up to every job at least once (more if one was delivered again).
	m := regexp.MustCompile(`jobs run per worker: \d+ \d+ \d+ \d+ \((\d+) in all\)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("the log lacks the jobs per worker:\n%s", log.String())
	}
	if total, _ := strconv.Atoi(m[1]); total < 10000 {
		t.Errorf("the workers ran %d jobs, fewer than the 10000 enqueued", total)
	}
	t.Log(log.String())

	nc, err := nats.Connect(u)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range []string{queue, queue + "_dead", queue + "_later", "KV_" + queue + "_results"} {
		if _, err := js.Stream(ctx, s); !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Errorf("stream %s after the run: %v, want it deleted", s, err)
		}
	}
}

// TestCollatz checks the job function against known values.
func TestCollatz(t *testing.T) {
	for n, want := range map[int64]int{1: 0, 2: 1, 3: 7, 6: 8, 27: 111, 97: 118, 871: 178} {
		if got, err := collatz(context.Background(), n); err != nil || got != want {
			t.Errorf("collatz(%d) = %d, %v; want %d", n, got, err, want)
		}
	}
	if _, err := collatz(context.Background(), 0); err == nil {
		t.Error("collatz(0) succeeded")
	}
}
