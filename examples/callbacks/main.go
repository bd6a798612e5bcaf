// Callbacks ports the seed tutorials' "call_soon / call_later / call_at":
// plain functions, not tasks, scheduled on the running loop to run as soon
// as possible, after a delay, and at a point on the loop's clock. Where the
// seed prints the wall-clock time, this program prints the loop time since
// it started, which is what the loop schedules by.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "callbacks:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()

		// A callback scheduled with CallSoon runs only once the task
		// gives the loop back; Sleep(ctx, 0) does so for one iteration.
		loop.CallSoon(func() { fmt.Fprintln(w, "Callback executed") })
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return struct{}{}, err
		}

		// callback returns a callback that reports when it ran, rounded
		// so that the real clock prints what the virtual one does.
		callback := func(name string) func() {
			return func() {
				at := (loop.Time() - start).Round(100 * time.Millisecond)
				fmt.Fprintf(w, "%v: %s callback executed\n", at, name)
			}
		}
		loop.CallSoon(callback("Immediate"))
		loop.CallLater(2*time.Second, callback("Delayed 2s"))

		// The seed waits a fixed five seconds for the callbacks; a future
		// resolved by the last one says exactly when they are all done.
		done := asyncio.NewFuture[struct{}](ctx)
		loop.CallAt(loop.Time()+3*time.Second, func() {
			callback("Delayed 3s")()
			done.SetResult(struct{}{})
		})

		// The handles the calls return can take a callback back.
		never := loop.CallLater(time.Second, callback("Cancelled"))
		never.Cancel()

		_, err := done.Wait(ctx)
		return struct{}{}, err
	}, opts...)
	return err
}
