// Executor ports the seed tutorials' "run_in_executor for blocking code": a
// function that blocks its goroutine (time.Sleep here, standing for a
// blocking library call, a file read or a CPU-heavy computation) is run on
// an executor's goroutine with ToThread (asyncio.to_thread, or
// loop.run_in_executor with the default executor), so the loop goes on
// running other tasks while it blocks.
//
// To show the difference, a ticker task runs alongside the blocking call,
// taking three turns of the loop, and counts the turns it got while main
// was inside the call. Called directly from main, the blocking function
// holds the loop: the ticker cannot run at all until it returns, and gets
// none of its turns during the call. Called through ToThread, main is
// suspended instead and the loop is free: the ticker takes all three turns
// while the call is still in progress.
//
// The program then runs three blocking calls at once, as the seed does, on
// a pool of three goroutines of its own (a custom executor, passed to
// RunInExecutor), and gathers their results.
//
// The ticker yields with Sleep(ctx, 0) rather than sleeping on a timer:
// while work is out on an executor, a virtual clock does not jump, since
// the result of the work may be what the loop waits for, so timers would
// not fire until the blocking call returned. For the same reason the
// program prints no times: the blocking calls take real time, which the
// loop's virtual clock does not see. The seed's two-second blocking call
// takes half a second here.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
)

// blockFor is how long the blocking function blocks.
const blockFor = 500 * time.Millisecond

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "executor:", err)
		os.Exit(1)
	}
}

// blockingIO is ordinary blocking code: called on the loop, it would stop
// every task for as long as it blocks.
func blockingIO(w io.Writer) string {
	fmt.Fprintln(w, "Blocking operation started")
	time.Sleep(blockFor) // blocks the goroutine
	fmt.Fprintln(w, "Blocking operation complete")
	return "Blocking result"
}

// ticker returns a task body that takes three turns of the loop, yielding
// it between them, and returns how many of the turns it took while
// *inCall was true.
func ticker(inCall *bool) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		during := 0
		for range 3 {
			if *inCall {
				during++
			}
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return during, err
			}
		}
		return during, nil
	}
}

// syncWriter serialises writes to w: the executor's goroutines print
// concurrently, with each other and with the loop.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	w = &syncWriter{w: w}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// inCall is true while main is inside a blocking call. Only
		// tasks of this loop touch it, one at a time: no mutex needed.
		inCall := false

		// withTicker runs call with a ticker task alongside and reports
		// whether the ticker got the loop during the call.
		withTicker := func(call func() (string, error)) error {
			tick := asyncio.Spawn(ctx, ticker(&inCall), asyncio.Name("ticker"))
			inCall = true
			result, err := call()
			inCall = false
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "Result: %s\n", result)
			during, err := tick.Wait(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "Ticker ran while the blocking call was in progress: %v (%d of 3 turns)\n", during > 0, during)
			return nil
		}

		fmt.Fprintln(w, "Calling the blocking function directly, on the loop:")
		if err := withTicker(func() (string, error) {
			return blockingIO(w), nil // wrong in a task: the loop stops
		}); err != nil {
			return struct{}{}, err
		}

		fmt.Fprintln(w, "\nRunning it in the default executor with ToThread:")
		if err := withTicker(func() (string, error) {
			return asyncio.ToThread(ctx, func() (string, error) {
				return blockingIO(w), nil
			})
		}); err != nil {
			return struct{}{}, err
		}

		fmt.Fprintln(w, "\nRunning three at once in a custom executor:")
		pool := asyncio.NewThreadPool(3)
		// Shutdown waits for the pool's goroutines, which are done with
		// their work by the time main leaves (like Python's "with
		// ThreadPoolExecutor() as pool").
		defer pool.Shutdown(context.Background())
		inPool := func(ctx context.Context) (string, error) {
			return asyncio.RunInExecutor(ctx, pool, func() (string, error) {
				return blockingIO(w), nil
			})
		}
		results, err := asyncio.Gather(ctx, inPool, inPool, inPool)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "All results: %q\n", results)
		return struct{}{}, nil
	}, opts...)
	return err
}
