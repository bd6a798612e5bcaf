// Package asynciotest runs tests of asyncio code on a fresh loop with a
// virtual clock: Python's IsolatedAsyncioTestCase, plus control of time.
//
// A test body runs as the main task of its own loop. Sleeps, timers and
// timeouts use a VirtualClock that jumps to the next timer whenever every
// task is blocked, so a test of an hour of retries runs in microseconds and
// the same way every time. Anything the loop reports to its exception
// handler (a task failure nobody retrieved, a panic in a callback) fails the
// test, and so does a task still pending when the body returns.
//
// The package also explores schedules (Explore runs a body under many
// schedule seeds and names the one that fails, for replay), checks that a
// Transport or a pair of streams keeps the contract of package asyncio
// (CheckTransport, CheckStreams), and checks for goroutines a test leaves
// behind (CheckGoroutines). Package simnet, below it, is an in-memory
// network for the virtual clock: connected pairs, and hosts joined by links
// with latency, loss and partitions.
package asynciotest

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// DeadlockTimeout is how long, in real time, Run lets a test whose tasks
// all wait for something nothing on the loop can bring (no timer left, no
// executor work out) sit before it reports a deadlock, naming each task and
// what it waits for, and cancels the tasks: the test fails instead of
// hanging. A goroutine of the test that wakes the loop within it is fine.
// A test that wants another timeout passes its own clock to Run
// (asyncio.WithClock of a VirtualClock with SetDeadlockTimeout).
const DeadlockTimeout = 5 * time.Second

// Run runs body as the main task of a new loop with a virtual clock starting
// at zero, shuts the loop down as asyncio.Run does, and fails t if body
// returns an error or the loop reports a failure. body may call t.Fatal and
// friends. opts are passed to the loop after the test's own, so they can
// replace the clock or the exception handler.
//
// A task still pending when body returns also fails the test, named with
// what it waits in: asyncio.Run would cancel it without a word, hiding a
// task the test forgot, or one that did not end when the test thought it
// had. A test that leaves tasks on purpose ends them with CancelPending
// before it returns. The report is skipped once the test has failed.
func Run(t testing.TB, body func(ctx context.Context) error, opts ...asyncio.Option) {
	t.Helper()
	clock := asyncio.NewVirtualClock()
	clock.SetDeadlockTimeout(DeadlockTimeout)
	all := append([]asyncio.Option{
		asyncio.WithClock(clock),
		asyncio.Debug(true),
		asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
			t.Errorf("asyncio exception handler: %s: task %q: %v", c.Message, c.Task, c.Err)
		}),
	}, opts...)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		err := body(ctx)
		if err == nil && !t.Failed() {
			reportPending(t, ctx)
		}
		return struct{}{}, err
	}, all...)
	if err != nil {
		t.Fatalf("asynciotest: test body: %v", err)
	}
}

// Clock returns the virtual clock of the loop running ctx, to advance it by
// hand or turn auto-jump off. It returns nil if that loop's clock is not
// virtual.
func Clock(ctx context.Context) *asyncio.VirtualClock {
	l := asyncio.RunningLoop(ctx)
	if l == nil {
		return nil
	}
	vc, _ := l.Clock().(*asyncio.VirtualClock)
	return vc
}
