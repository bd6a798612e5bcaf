// Fetchdata ports the seed tutorials' "fetch_data with tasks": a function
// that simulates fetching data with a two-second sleep is started twice
// with Spawn (asyncio.create_task), and the two tasks are then awaited one
// after the other. Both fetches run while main waits for the first, so
// the pair takes two seconds, not four.
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
		fmt.Fprintln(os.Stderr, "fetchdata:", err)
		os.Exit(1)
	}
}

// fetchData simulates an I/O operation that takes two seconds.
func fetchData(w io.Writer) func(context.Context) (map[string]int, error) {
	return func(ctx context.Context) (map[string]int, error) {
		fmt.Fprintln(w, "Start fetching")
		if err := asyncio.Sleep(ctx, 2*time.Second); err != nil {
			return nil, err
		}
		fmt.Fprintln(w, "Done fetching")
		return map[string]int{"data": 1}, nil
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()

		// Spawn schedules both tasks at once; neither has run yet.
		task1 := asyncio.Spawn(ctx, fetchData(w), asyncio.Name("fetch-1"))
		task2 := asyncio.Spawn(ctx, fetchData(w), asyncio.Name("fetch-2"))

		// Waiting for task1 lets the loop run both tasks.
		result1, err := task1.Wait(ctx)
		if err != nil {
			return struct{}{}, err
		}
		result2, err := task2.Wait(ctx)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, result1)
		fmt.Fprintln(w, result2)

		// Rounding hides the microseconds a real loop spends running code,
		// so the real run prints what the virtual-clock test expects.
		elapsed := loop.Time() - start
		fmt.Fprintf(w, "Both fetches took %v\n", elapsed.Round(100*time.Millisecond))
		return struct{}{}, nil
	}, opts...)
	return err
}
