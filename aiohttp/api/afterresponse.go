package api

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/asyncio-go/asyncio"
)

// AfterResponse schedules fn to run once the response of the operation
// whose ctx is ctx has been sent (FastAPI's BackgroundTasks.add_task):
// an email to send, a cache to warm, work the client should not wait
// for. name says what it is in logs and in the loop's task listings.
//
// The work of one request runs in the order scheduled, as one task of
// the request's loop (a goroutine when the App is served by net/http),
// which the App owns: it runs only if the operation succeeded, after the
// teardowns of its dependencies, with a ctx that has the request's
// values but not its cancellation, since the request is over. A job
// that fails or panics is logged with the App's Logger and the next one
// still runs; Shutdown waits for every job, and cancels those still
// running when its ctx ends. So a job must not use the request's
// dependencies, which are torn down by then: it gets what it needs from
// its closure, or makes it.
//
// AfterResponse panics if ctx is not an operation's (or a dependency's,
// or a task's spawned with one).
func AfterResponse(ctx context.Context, name string, fn func(ctx context.Context) error) {
	c := mustCall(ctx, "AfterResponse")
	c.afterwards = append(c.afterwards, job{name, fn})
}

// A job is work an operation left for after its response.
type job struct {
	name string
	fn   func(ctx context.Context) error
}

// jobs are the runs of jobs the App owns: each request's jobs are one
// run, which ends when its last job returns.
type jobs struct {
	mu      sync.Mutex
	running map[*jobRun]struct{}
	idle    chan struct{} // closed when no run is left; nil before the first
	wakers  []func()      // called when no run is left: see waitIdle
	closed  bool          // Shutdown has begun: no new run starts
}

// A jobRun is the jobs of one request, running.
type jobRun struct {
	cancel func()
}

// start runs list after the response of the request whose ctx is ctx:
// as a task of its loop, or a goroutine when it runs on none.
func (j *jobs) start(ctx context.Context, log *slog.Logger, list []job) {
	ctx = context.WithValue(ctx, callKey{}, (*call)(nil)) // the call is over
	run := &jobRun{}
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		for _, jb := range list {
			log.ErrorContext(ctx, "api: job not run: the App is shutting down", "job", jb.name)
		}
		return
	}
	if len(j.running) == 0 {
		j.running = map[*jobRun]struct{}{}
		j.idle = make(chan struct{})
	}
	j.running[run] = struct{}{}
	body := func(ctx context.Context) {
		defer j.done(run)
		for _, jb := range list {
			runJob(ctx, log, jb)
		}
	}
	if asyncio.RunningLoop(ctx) != nil {
		// The task is the App's: Shutdown waits for it, and cancels it
		// when its time is up.
		t := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			body(ctx)
			return struct{}{}, nil
		}, asyncio.Name("api: after response: "+list[0].name))
		run.cancel = func() { t.Cancel() }
	} else {
		ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		run.cancel = cancel
		// The goroutine is the App's, as the task above; it ends with
		// its last job.
		go body(ctx)
	}
	j.mu.Unlock()
}

// runJob runs one job, logging its failure.
func runJob(ctx context.Context, log *slog.Logger, jb job) {
	defer func() {
		if p := recover(); p != nil {
			log.ErrorContext(ctx, "api: job panicked", "job", jb.name, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if err := jb.fn(ctx); err != nil {
		log.ErrorContext(ctx, "api: job failed", "job", jb.name, "err", err)
	}
}

func (j *jobs) done(run *jobRun) {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.running, run)
	if len(j.running) == 0 {
		close(j.idle)
		for _, wake := range j.wakers {
			wake()
		}
		j.wakers = nil
	}
}

// waitIdle waits until no run is left, or ctx ends. A task waits on an
// Event of its loop, set through CallSoonThreadsafe: the last job to
// end, a task of that loop itself as a rule, queues the Set before the
// loop can go idle, so that a virtual clock does not jump past the
// moment (a channel received by a goroutine of Recv's would race it).
// Off any loop, it receives from the idle channel.
func (j *jobs) waitIdle(ctx context.Context) error {
	j.mu.Lock()
	if len(j.running) == 0 {
		j.mu.Unlock()
		return nil
	}
	if loop := asyncio.RunningLoop(ctx); loop != nil && asyncio.InTask(ctx) {
		idle := asyncio.NewEvent()
		j.wakers = append(j.wakers, func() { loop.CallSoonThreadsafe(idle.Set) })
		j.mu.Unlock()
		return idle.Wait(ctx)
	}
	idle := j.idle
	j.mu.Unlock()
	_, _, err := asyncio.Recv(ctx, idle)
	return err
}

// wait refuses new runs and waits for those running; when ctx ends
// first, it cancels them, waits for them to end, and says how many were
// cut short.
func (j *jobs) wait(ctx context.Context) error {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	err := j.waitIdle(ctx)
	if err == nil {
		return nil
	}
	j.mu.Lock()
	n := len(j.running)
	for run := range j.running {
		run.cancel()
	}
	j.mu.Unlock()
	// A cancelled job ends at its next wait.
	j.waitIdle(context.WithoutCancel(ctx))
	if n == 0 {
		return nil
	}
	return fmt.Errorf("api: %d requests' jobs cancelled at shutdown: %w", n, err)
}
