// Ratelimiter ports the seed tutorials' "rate limiter": ten requests to
// an API that allows three per second. All ten are started at once, as
// tasks; each waits for a token from a patterns.RateLimiter before it
// runs, and prints when it ran and in which second. The limiter is a token
// bucket on the loop's clock: three tokens per second, one every 333 ms,
// handed out in the order the requests asked for them.
//
// With RateBurst(1) the bucket holds a single token, so the requests are
// evenly spaced and no second sees more than three. Without it the bucket
// starts with three tokens and lets a burst of three through at once, so
// the first second sees five; the program shows both.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/patterns"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ratelimiter:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		fmt.Fprintln(w, "3 requests per second, evenly spaced:")
		if err := requests(ctx, w, 10, patterns.RateBurst(1)); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "3 requests per second, in bursts of up to 3:")
		return struct{}{}, requests(ctx, w, 10)
	}, opts...)
	return err
}

// requests starts n requests at once, limited to 3 per second by a
// limiter made with opts, and prints when each ran and a summary per
// second.
func requests(ctx context.Context, w io.Writer, n int, opts ...patterns.RateLimiterOption) error {
	loop := asyncio.RunningLoop(ctx)
	start := loop.Time()
	limiter := patterns.NewRateLimiter(ctx, 3, time.Second, opts...)
	perSecond := map[int][]string{}
	var fns []func(context.Context) (struct{}, error)
	for i := 1; i <= n; i++ {
		fns = append(fns, func(ctx context.Context) (struct{}, error) {
			if err := limiter.Wait(ctx); err != nil {
				return struct{}{}, err
			}
			// Rounded to 100 ms so that the real clock, whose timers
			// fire a little late, prints what the virtual one does.
			t := (loop.Time() - start).Round(100 * time.Millisecond)
			second := int((loop.Time() - start) / time.Second)
			fmt.Fprintf(w, "  request %2d ran at %-5v (second %d)\n", i, t, second)
			perSecond[second] = append(perSecond[second], fmt.Sprint(i))
			return struct{}{}, nil
		})
	}
	if _, err := asyncio.Gather(ctx, fns...); err != nil {
		return err
	}
	for s := 0; len(perSecond[s]) > 0; s++ {
		plural := "s"
		if len(perSecond[s]) == 1 {
			plural = ""
		}
		fmt.Fprintf(w, "  second %d: %d request%s (%s)\n", s, len(perSecond[s]), plural, strings.Join(perSecond[s], " "))
	}
	return nil
}
