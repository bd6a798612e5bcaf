package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/asyncio-go/asyncio/patterns"
	"github.com/nats-io/nats.go"
)

// The fault tests run workers in processes of their own, which a test can
// kill: the test binary run again with workerEnv set to the worker's
// settings as JSON. Such a process runs one Worker until its standard
// input closes, and tells on its standard output when a job starts and
// when its function returns ("start square 17", "done square 17"). The
// lines are written unbuffered before and after the job's work, so a
// process killed at any moment has told of every run it began.
const workerEnv = "JOBS_TEST_WORKER"

// workerSettings configure a worker process.
type workerSettings struct {
	URL         string        `json:"url"`
	Queue       string        `json:"queue"`
	Concurrency int           `json:"concurrency"`
	AckWait     time.Duration `json:"ack_wait"`
	MaxTries    int           `json:"max_tries"`
	Work        time.Duration `json:"work"` // how long a square job works
}

// resultPrime is the modulus of the square jobs' results.
const resultPrime = 1_000_003

// square is the result of the job "square" with argument i.
func square(i int) int { return i * i % resultPrime }

// workerMain is the worker process: it returns its exit code.
func workerMain(raw string) int {
	var s workerSettings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fmt.Fprintln(os.Stderr, "worker settings:", err)
		return 2
	}
	say := func(what, fn string, i int) {
		// One write per line, straight to the pipe: nothing is left in a
		// buffer when the process is killed.
		os.Stdout.WriteString(what + " " + fn + " " + strconv.Itoa(i) + "\n")
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, err := jobs.Connect(ctx, s.URL, jobs.NATSOptions(nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond)))
		if err != nil {
			return struct{}{}, err
		}
		defer c.Close(ctx)
		w := jobs.NewWorker(c, s.Queue,
			jobs.Concurrency(s.Concurrency),
			jobs.JobAckWait(s.AckWait),
			jobs.MaxTries(s.MaxTries),
			jobs.Backoff(patterns.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1}),
			jobs.ShutdownGrace(10*time.Second),
			jobs.Logger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
		jobs.Register(w, "square", func(ctx context.Context, i int) (int, error) {
			say("start", "square", i)
			if s.Work > 0 {
				if err := asyncio.Sleep(ctx, s.Work); err != nil {
					return 0, err
				}
			}
			say("done", "square", i)
			return square(i), nil
		})
		jobs.Register(w, "die", func(ctx context.Context, i int) (int, error) {
			say("start", "die", i)
			self, _ := os.FindProcess(os.Getpid())
			self.Kill()
			// SIGKILL ends the process before the loop runs again.
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		loop := asyncio.RunningLoop(ctx)
		// The process ends with the test that started it: when its
		// standard input closes. This goroutine dies with the process.
		go func() {
			io.Copy(io.Discard, os.Stdin)
			loop.CallSoonThreadsafe(cancel)
		}()
		return struct{}{}, w.Run(runCtx)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// A workerProc is a worker process started by a test, with what it told
// of its runs. It is used on the test's loop.
type workerProc struct {
	name    string
	p       *asyncio.Process
	starts  map[string]int // runs begun, by "func arg"
	dones   map[string]int // runs whose function returned, by "func arg"
	onLine  func(*workerProc)
	reader  *asyncio.Task[struct{}]
	stderr  *asyncio.Task[[]byte]
	stopped bool
}

// startWorkerProc starts a worker process with settings s; onLine, if not
// nil, runs on the loop after each line the worker writes.
func startWorkerProc(ctx context.Context, name string, s workerSettings, onLine func(*workerProc)) (*workerProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(s)
	p, err := asyncio.CreateSubprocessExec(ctx, exe, nil,
		asyncio.Env(append(os.Environ(), workerEnv+"="+string(raw))),
		asyncio.Stdin(asyncio.Pipe), asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.Pipe))
	if err != nil {
		return nil, err
	}
	wp := &workerProc{name: name, p: p, starts: map[string]int{}, dones: map[string]int{}, onLine: onLine}
	wp.reader = asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		for {
			line, err := p.Stdout.ReadLine(ctx)
			if len(line) == 0 || err != nil {
				return struct{}{}, nil // the process ended
			}
			what, key, _ := strings.Cut(strings.TrimSpace(string(line)), " ")
			switch what {
			case "start":
				wp.starts[key]++
			case "done":
				wp.dones[key]++
			}
			if wp.onLine != nil {
				wp.onLine(wp)
			}
		}
	}, asyncio.Name("reading worker "+name))
	wp.stderr = asyncio.Spawn(ctx, func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		for {
			b, err := p.Stderr.Read(ctx, 64<<10)
			buf.Write(b)
			if len(b) == 0 || err != nil {
				return buf.Bytes(), nil
			}
		}
	}, asyncio.Name("reading the log of worker "+name))
	return wp, nil
}

// inFlight returns the square jobs the worker began and did not finish.
func (wp *workerProc) inFlight() []int {
	var out []int
	for key, n := range wp.starts {
		if n > wp.dones[key] {
			if i, ok := squareArg(key); ok {
				out = append(out, i)
			}
		}
	}
	return out
}

// squareArg parses the key "square i".
func squareArg(key string) (int, bool) {
	s, ok := strings.CutPrefix(key, "square ")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	return i, err == nil
}

// wait waits for the process to end and for its output to be read; it
// returns the exit code (negative: the signal that ended it).
func (wp *workerProc) wait(ctx context.Context) (int, error) {
	code, err := wp.p.Wait(ctx)
	if err != nil {
		return code, err
	}
	wp.stopped = true
	if _, err := wp.reader.Wait(ctx); err != nil {
		return code, err
	}
	_, err = wp.stderr.Wait(ctx)
	return code, err
}

// kill ends the process with SIGKILL and waits for it.
func (wp *workerProc) kill(ctx context.Context) (int, error) {
	if err := wp.p.Kill(); err != nil {
		return 0, err
	}
	return wp.wait(ctx)
}

// stop closes the process's standard input, which shuts its worker down
// gracefully, and waits for it; a worker that does not end with code 0
// within a minute fails the test.
func (wp *workerProc) stop(ctx context.Context, t testing.TB) {
	t.Helper()
	wp.p.Stdin.Close()
	code, err := asyncio.WaitFor(ctx, time.Minute, wp.wait)
	if err != nil || code != 0 {
		t.Errorf("worker %s ended with %d, %v; its log:\n%s", wp.name, code, err, wp.log())
		wp.kill(context.WithoutCancel(ctx))
	}
}

// log returns what the process wrote on its standard error, once it has
// ended.
func (wp *workerProc) log() string {
	b, err := wp.stderr.Result()
	if err != nil {
		return "(not read yet)"
	}
	return string(b)
}

// killAll is for a deferred call: it kills the processes still running
// and waits for them.
func killAll(ctx context.Context, procs ...*workerProc) {
	ctx = context.WithoutCancel(ctx)
	for _, wp := range procs {
		if wp != nil && !wp.stopped {
			wp.kill(ctx)
		}
	}
}
