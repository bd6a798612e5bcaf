// Debouncer ports the seed tutorials' "debouncer": a search box that
// searches as the user types, but not on every keystroke. Each keystroke
// triggers a patterns.Debouncer; the search runs once typing has paused
// for 300 ms, with the text typed so far. The user types "go", stops to
// think, then types " async": eight keystrokes, two searches.
//
// The debounced function runs on the loop as a callback, so it must not
// wait; it hands the query to a searcher task through a queue, and the
// searcher does the slow part. Times are loop time since the start.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/patterns"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "debouncer:", err)
		os.Exit(1)
	}
}

// keystroke is a key the user presses, then the pause before the next.
type keystroke struct {
	key   string
	pause time.Duration
}

// typing is what the user does: quick keys, and a pause after "go".
var typing = []keystroke{
	{"g", 100 * time.Millisecond}, {"o", 800 * time.Millisecond},
	{" ", 100 * time.Millisecond}, {"a", 100 * time.Millisecond}, {"s", 100 * time.Millisecond},
	{"y", 100 * time.Millisecond}, {"n", 100 * time.Millisecond}, {"c", 100 * time.Millisecond},
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		// at is the loop time since the start, rounded so that the real
		// clock prints what the virtual one does.
		at := func() time.Duration { return (loop.Time() - start).Round(10 * time.Millisecond) }

		queries := asyncio.NewQueue[string](0)
		searcher := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			n := 0
			for q, err := range queries.All(ctx) {
				if err != nil {
					return n, err
				}
				n++
				fmt.Fprintf(w, "%-6v search %q...\n", at(), q)
				if err := asyncio.Sleep(ctx, 150*time.Millisecond); err != nil { // the backend
					return n, err
				}
				fmt.Fprintf(w, "%-6v results for %q\n", at(), q)
			}
			return n, nil
		}, asyncio.Name("searcher"))

		text := ""
		search := patterns.NewDebouncer(ctx, 300*time.Millisecond, func() {
			queries.TryPut(text) // an unbounded queue always has room
		})
		for _, k := range typing {
			text += k.key
			fmt.Fprintf(w, "%-6v typed %q\n", at(), text)
			search.Trigger()
			if err := asyncio.Sleep(ctx, k.pause); err != nil {
				return struct{}{}, err
			}
		}
		// Let the last search come due, then stop the searcher once the
		// queue is drained.
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return struct{}{}, err
		}
		queries.Shutdown(false)
		n, err := searcher.Wait(ctx)
		fmt.Fprintf(w, "%d keystrokes, %d searches\n", len(typing), n)
		return struct{}{}, err
	}, opts...)
	return err
}
