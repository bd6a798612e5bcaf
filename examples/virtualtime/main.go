// Virtualtime ports the seed tutorials' "unit test with a mocked sleep".
// The seed tests an async function that sleeps for a second by patching
// asyncio.sleep with a mock, so the test does not wait, and then checks
// that the mock was awaited with 1.
//
// Go needs no mock: main_test.go runs the function on a loop with a virtual
// clock (asynciotest.Run). The sleep is a real sleep on the loop's clock,
// but the clock jumps straight to the next timer whenever every task is
// waiting, so no wall-clock time passes, and the test checks how much loop
// time did. This program runs the function once on the real clock.
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
		fmt.Fprintln(os.Stderr, "virtualtime:", err)
		os.Exit(1)
	}
}

// asyncFunctionToTest simulates a slow operation, such as a database call
// or an HTTP request, that takes one second.
func asyncFunctionToTest(ctx context.Context, param string) (string, error) {
	if err := asyncio.Sleep(ctx, time.Second); err != nil {
		return "", err
	}
	return "Result of " + param, nil
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		result, err := asyncFunctionToTest(ctx, "test")
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, result)
		// Rounding hides the microseconds a real loop spends running code,
		// so the real run prints what the virtual-clock test expects.
		fmt.Fprintf(w, "Took %v of loop time\n", (loop.Time() - start).Round(100*time.Millisecond))
		return struct{}{}, nil
	}, opts...)
	return err
}
