//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/servicetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestJobs runs the jobs mode, small, against the NATS server NATS_URL
// names (by default the project machines'), with and without results:
// every job runs once, the fields are gojobs', and the queue is gone
// afterwards.
func TestJobs(t *testing.T) {
	u := servicetest.URL(t, "NATS_URL", "nats://127.0.0.1:4222", "NATS server with JetStream")
	const n, workers = 500, 2
	want := []string{"broker_cpu_s", "broker_cpu_us_per_job", "cpu_us_per_job", "enqueue_s", "jobs_per_s",
		"n", "processed", "producer_cpu_s", "seconds", "workers", "workers_cpu_s"}
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep-results=%v", keep), func(t *testing.T) {
			out, err := jobsRun(jobsConfig{
				url: u, n: n, workers: workers, concurrency: jobsDefaultConcurrency, prefetch: jobsDefaultPrefetch,
				keepResults: keep, inflight: 100,
				// Any live process will do for the broker's fields.
				brokerPID: os.Getpid(),
				workerEnv: []string{asMainEnv + "=1"},
			})
			if err != nil {
				t.Fatal(err)
			}
			keys := make([]string, 0, len(out))
			for k := range out {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, want) {
				t.Errorf("fields %v, want %v", keys, want)
			}
			if out["n"] != n || out["workers"] != workers || out["processed"] != n {
				t.Errorf("n %v, workers %v, processed %v: want %d, %d, %d", out["n"], out["workers"], out["processed"], n, workers, n)
			}
			secs, enq, rate := out["seconds"].(float64), out["enqueue_s"].(float64), out["jobs_per_s"].(float64)
			if secs <= 0 || enq <= 0 || enq > secs || rate != n/secs {
				t.Errorf("seconds %v, enqueue_s %v, jobs_per_s %v", secs, enq, rate)
			}
			for _, k := range []string{"producer_cpu_s", "workers_cpu_s", "broker_cpu_s", "cpu_us_per_job"} {
				if v := out[k].(float64); v < 0 {
					t.Errorf("%s = %v", k, v)
				}
			}
			if out["producer_cpu_s"].(float64) == 0 {
				t.Errorf("producer_cpu_s = 0: enqueueing %d jobs took no CPU time", n)
			}
			if left := jobsStreamsLeft(t, u); len(left) > 0 {
				t.Errorf("streams left behind: %v", left)
			}
		})
	}
}

// jobsStreamsLeft lists the streams of this process's jobs runs still on
// the server (the queue's, its dead letters', its delayed jobs', its
// results bucket's).
func jobsStreamsLeft(t *testing.T, u string) []string {
	t.Helper()
	nc, err := nats.Connect(u)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prefix := fmt.Sprintf("jobsbench_%d_", os.Getpid())
	var left []string
	names := js.StreamNames(ctx)
	for name := range names.Name() {
		if strings.HasPrefix(strings.TrimPrefix(name, "KV_"), prefix) {
			left = append(left, name)
		}
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	return left
}
