//go:build unix

// Shutdown ports the seed tutorials' "signal handling for graceful
// shutdown": signal handlers registered on the loop (asyncio's
// loop.add_signal_handler) turn SIGTERM or SIGINT into an event; the
// program then stops taking new work, lets the work already queued and in
// progress finish, and exits cleanly.
//
// So that the program ends by itself, a task sends SIGTERM to the process
// after 2.5 seconds, as `kill -TERM <pid>` would from outside. It does so
// through ToThread and waits there until the handler has seen the signal:
// work out in the executor holds a virtual clock still, so the test of this
// program, which runs it in virtual time, sees the same order of events.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		os.Exit(1)
	}
}

// stamp is the loop time, rounded to a tenth of a second.
func stamp(loop *asyncio.Loop) string {
	return fmt.Sprintf("[%4.1fs]", loop.Time().Round(100*time.Millisecond).Seconds())
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	// The program handles SIGINT itself, like SIGTERM, instead of Run's
	// default of cancelling main.
	opts = append([]asyncio.Option{asyncio.WithInterruptHandling(false)}, opts...)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		stop := asyncio.NewEvent()
		seen := make(chan struct{})
		for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGINT} {
			err := loop.AddSignalHandler(sig, func() {
				if stop.IsSet() {
					return
				}
				fmt.Fprintf(w, "%s received %v: no new jobs, finishing the others\n", stamp(loop), sig)
				stop.Set()
				close(seen)
			})
			if err != nil {
				return struct{}{}, err
			}
			defer loop.RemoveSignalHandler(sig)
		}

		jobs := asyncio.NewQueue[int](0)
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			for id := 1; id <= 2; id++ {
				g.Go(func(ctx context.Context) error { return worker(ctx, w, id, jobs) })
			}
			g.Go(func(ctx context.Context) error { return feed(ctx, w, jobs, stop) })
			g.Go(func(ctx context.Context) error {
				if err := asyncio.Sleep(ctx, 2500*time.Millisecond); err != nil {
					return err
				}
				fmt.Fprintf(w, "%s sending SIGTERM to ourselves, as kill would\n", stamp(loop))
				_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
					if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
						return struct{}{}, err
					}
					<-seen
					return struct{}{}, nil
				})
				return err
			})
			// Once asked to stop, close the queue: the workers take what
			// is left in it, then their loops end.
			if err := stop.Wait(ctx); err != nil {
				return err
			}
			jobs.Shutdown(false)
			return nil
		})
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "%s every worker stopped: clean exit\n", stamp(loop))
		return struct{}{}, nil
	}, opts...)
	return err
}

// feed queues a job every second until stop is set.
func feed(ctx context.Context, w io.Writer, jobs *asyncio.Queue[int], stop *asyncio.Event) error {
	loop := asyncio.RunningLoop(ctx)
	for n := 1; ; n++ {
		fmt.Fprintf(w, "%s queued job %d\n", stamp(loop), n)
		if err := jobs.Put(ctx, n); err != nil {
			return err
		}
		// Wait a second, or less if asked to stop meanwhile.
		err := asyncio.Timeout(ctx, time.Second, stop.Wait)
		if err == nil {
			return nil // stop was set
		}
		if err != asyncio.ErrTimeout {
			return err
		}
	}
}

// worker processes jobs until the queue is shut down and empty.
func worker(ctx context.Context, w io.Writer, id int, jobs *asyncio.Queue[int]) error {
	loop := asyncio.RunningLoop(ctx)
	for job, err := range jobs.All(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s worker %d started job %d\n", stamp(loop), id, job)
		if err := asyncio.Sleep(ctx, 1200*time.Millisecond); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s worker %d finished job %d\n", stamp(loop), id, job)
	}
	fmt.Fprintf(w, "%s worker %d stopped\n", stamp(loop), id)
	return nil
}
