// Count ports the seed tutorials' "count x3 with gather": three copies of
// one function print "One", sleep a second and print "Two". Run under
// Gather they interleave, so every "One" comes before every "Two" and the
// program takes one second of loop time, not three.
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
		fmt.Fprintln(os.Stderr, "count:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		start := asyncio.RunningLoop(ctx).Time()
		count := func(ctx context.Context) (struct{}, error) {
			fmt.Fprintln(w, "One")
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				return struct{}{}, err
			}
			fmt.Fprintln(w, "Two")
			return struct{}{}, nil
		}
		if _, err := asyncio.Gather(ctx, count, count, count); err != nil {
			return struct{}{}, err
		}
		// Loop time is virtual in the test and real otherwise; rounding
		// hides the few microseconds the real loop spends running code.
		elapsed := asyncio.RunningLoop(ctx).Time() - start
		fmt.Fprintf(w, "Counted three times in %v\n", elapsed.Round(100*time.Millisecond))
		return struct{}{}, nil
	}, opts...)
	return err
}
