// Event ports the seed tutorials' "event waking several waiters": three
// waiters wait for an asyncio.Event, and a setter sets it after two seconds,
// which wakes all of them at once.
//
// An event is a flag, not a message: once set it stays set, so a fourth
// waiter that comes along later, at three seconds, finds it set and goes on
// without waiting at all. Clear would make Wait wait again until the next
// Set.
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
		fmt.Fprintln(os.Stderr, "event:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		// log prints a line stamped with the loop time since start,
		// rounded so that the real clock prints what the virtual one does.
		log := func(format string, args ...any) {
			at := (loop.Time() - start).Round(100 * time.Millisecond)
			fmt.Fprintf(w, "[%.1fs] %s\n", at.Seconds(), fmt.Sprintf(format, args...))
		}

		event := asyncio.NewEvent()

		// waiter waits for the event after a delay of arrive.
		waiter := func(name string, arrive time.Duration) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				if err := asyncio.Sleep(ctx, arrive); err != nil {
					return struct{}{}, err
				}
				log("%s: waiting for event (set: %v)", name, event.IsSet())
				// Block until the event is set.
				if err := event.Wait(ctx); err != nil {
					return struct{}{}, err
				}
				log("%s: event received!", name)
				return struct{}{}, nil
			}
		}
		// setter sets the event after two seconds.
		setter := func(ctx context.Context) (struct{}, error) {
			if err := asyncio.Sleep(ctx, 2*time.Second); err != nil {
				return struct{}{}, err
			}
			log("Setter: setting event")
			event.Set() // wakes up every waiter
			return struct{}{}, nil
		}

		_, err := asyncio.Gather(ctx,
			waiter("Waiter-1", 0),
			waiter("Waiter-2", 0),
			waiter("Waiter-3", 0),
			setter,
			waiter("Waiter-4", 3*time.Second),
		)
		return struct{}{}, err
	}, opts...)
	return err
}
