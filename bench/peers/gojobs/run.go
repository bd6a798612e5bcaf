package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// job is the payload of every message: a no-op job's arguments.
type job struct {
	ID int `json:"id"`
}

// workerProc is a started worker process and the pipe it reports on.
type workerProc struct {
	cmd *exec.Cmd
	out *bufio.Reader
}

func run(url string, n, workers, brokerPID int) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	nc, err := nats.Connect(url)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	var pubErrs atomic.Int64
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) {
		pubErrs.Add(1)
	}))
	if err != nil {
		return nil, err
	}

	// A fresh stream per run, so that nothing of an earlier run is counted.
	name := fmt.Sprintf("JOBSBENCH_%d_%d", os.Getpid(), time.Now().UnixNano())
	subject := "jobsbench." + name
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name:      name,
		Subjects:  []string{subject},
		Retention: jetstream.WorkQueuePolicy,
		Storage:   jetstream.FileStorage,
	})
	if err != nil {
		return nil, err
	}
	defer js.DeleteStream(context.Background(), name)
	if _, err := s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:   "workers",
		AckPolicy: jetstream.AckExplicitPolicy,
	}); err != nil {
		return nil, err
	}

	procs, err := startWorkers(url, name, "workers", workers)
	defer stopWorkers(procs)
	if err != nil {
		return nil, err
	}
	pids := make([]int, len(procs))
	for i, p := range procs {
		pids[i] = p.cmd.Process.Pid
	}

	self0, workers0, broker0 := selfCPU(), procsCPU(pids), procsCPU([]int{brokerPID})
	t0 := time.Now()
	for i := range n {
		data, _ := json.Marshal(job{ID: i})
		if _, err := js.PublishAsync(subject, data); err != nil {
			return nil, fmt.Errorf("publish %d: %w", i, err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return nil, fmt.Errorf("publish acknowledgements: %w", ctx.Err())
	}
	enqueued := time.Since(t0)
	if e := pubErrs.Load(); e > 0 {
		return nil, fmt.Errorf("%d publishes failed", e)
	}
	// Polled only once every job is in the stream, every 2 ms: the poll
	// costs the server a little and delays the stop by at most that.
	for {
		info, err := s.Info(ctx)
		if err != nil {
			return nil, err
		}
		if info.State.Msgs == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	secs := time.Since(t0).Seconds()
	self, wcpu, bcpu := selfCPU()-self0, procsCPU(pids)-workers0, procsCPU([]int{brokerPID})-broker0

	acked, err := stopWorkers(procs)
	procs = nil
	if err != nil {
		return nil, err
	}
	if acked < n {
		return nil, fmt.Errorf("the workers acknowledged %d jobs of %d", acked, n)
	}
	out := map[string]any{
		"n": n, "workers": workers, "seconds": secs, "jobs_per_s": float64(n) / secs,
		"enqueue_s": enqueued.Seconds(), "processed": acked,
		"producer_cpu_s": self.Seconds(), "workers_cpu_s": wcpu.Seconds(),
		"cpu_us_per_job": float64((self + wcpu).Microseconds()) / float64(n),
	}
	if brokerPID > 0 {
		out["broker_cpu_s"] = bcpu.Seconds()
		out["broker_cpu_us_per_job"] = float64(bcpu.Microseconds()) / float64(n)
	}
	return out, nil
}

// startWorkers starts w worker processes (this program) and waits until each
// says it is consuming.
func startWorkers(url, stream, consumer string, w int) ([]workerProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var procs []workerProc
	for range w {
		cmd := exec.Command(self, "worker", "-url", url, "-stream", stream, "-consumer", consumer)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return procs, err
		}
		if err := cmd.Start(); err != nil {
			return procs, err
		}
		procs = append(procs, workerProc{cmd, bufio.NewReader(out)})
	}
	for _, p := range procs {
		line, err := p.out.ReadString('\n')
		if err != nil || line != "ready\n" {
			return procs, fmt.Errorf("worker %d did not start: %q %v", p.cmd.Process.Pid, line, err)
		}
	}
	return procs, nil
}

// stopWorkers sends SIGTERM to each worker and waits for it; each prints how
// many jobs it acknowledged, and stopWorkers returns their sum.
func stopWorkers(procs []workerProc) (int, error) {
	total := 0
	var first error
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		line, err := p.out.ReadString('\n')
		k, perr := strconv.Atoi(string(trimNL(line)))
		if err != nil || perr != nil {
			first = cmpOr(first, fmt.Errorf("worker %d: no count: %q %v", p.cmd.Process.Pid, line, err))
		}
		total += k
		if err := p.cmd.Wait(); err != nil {
			first = cmpOr(first, fmt.Errorf("worker %d: %v", p.cmd.Process.Pid, err))
		}
	}
	return total, first
}

func trimNL(s string) string {
	if len(s) > 0 && s[len(s)-1] == '\n' {
		return s[:len(s)-1]
	}
	return s
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
