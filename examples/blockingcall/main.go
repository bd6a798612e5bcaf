// Blockingcall ports the seed tutorials' "detect blocking code": a task
// calls time.Sleep, which blocks the whole loop, where it should have
// awaited asyncio.Sleep.
//
// Python's debug mode reports such a step after it returns ("Executing
// <Task ...> took 2.001 seconds"). Here the loop's watchdog, which is on
// whether or not debug mode is, reports it while it still blocks, naming
// the task and showing the line it is stuck on; debug mode then adds the
// after-the-fact warning with the step's full duration. Meanwhile a ticker
// task that should tick every 100 ms is held up, and the loop's lag
// histogram shows by how much.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout, 2*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "blockingcall:", err)
		os.Exit(1)
	}
}

// problematicCode is the seed's coroutine: it blocks its goroutine, and so
// the loop, for d.
func problematicCode(ctx context.Context, w io.Writer, d time.Duration) error {
	fmt.Fprintln(w, "Starting")
	time.Sleep(d) // BAD: blocks the loop; use asyncio.Sleep(ctx, d)
	fmt.Fprintln(w, "Complete")
	return nil
}

// run runs the program, blocking the loop for d, and prints to w.
func run(w io.Writer, d time.Duration) error {
	// The watchdog calls report from its own goroutine while the task
	// blocks: writes to w take turns through a mutex.
	w = &lockedWriter{w: w}
	report := func(s asyncio.Stall) {
		if !s.Ongoing {
			return // its end, reported once the task lets the loop go
		}
		fmt.Fprintf(w, "watchdog: task %q has blocked the loop for over %v; it is at:\n", s.Task, asyncio.DefaultSlowDuration)
		if os.Getenv("DBG") != "" {
			fmt.Fprintln(os.Stderr, s.Stack)
		}
		for _, frame := range ourFrames(s.Stack) {
			fmt.Fprintln(w, "   ", frame)
		}
	}
	// Debug mode's warnings go to this logger; the time attribute is
	// left out so that the output reads the same on every run.
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "duration":
				return slog.Attr{}
			}
			return a
		},
	}))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		ticks := 0
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			for {
				if err := asyncio.Sleep(ctx, 100*time.Millisecond); err != nil {
					return struct{}{}, nil
				}
				ticks++
			}
		}, asyncio.Name("ticker"))
		task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, problematicCode(ctx, w, d)
		}, asyncio.Name("problematic_code"))
		if _, err := task.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		ticker.Cancel()
		ticker.Wait(ctx)
		lag := asyncio.RunningLoop(ctx).Lag()
		late := lag.Max >= d-asyncio.DefaultSlowDuration
		fmt.Fprintf(w, "ticker ticked %d times while the loop was blocked; a timer fired at least %v late: %v\n",
			ticks, d-asyncio.DefaultSlowDuration, late)
		return struct{}{}, nil
	},
		asyncio.Debug(true),
		asyncio.WithLogger(logger),
		asyncio.WithStallHandler(report),
	)
	return err
}

// ourFrames returns the frames of this program in a stack, as
// "function file:line", without the directories: the lines a reader looks
// for.
func ourFrames(stack string) []string {
	var out []string
	lines := strings.Split(stack, "\n")
	for i := 0; i+1 < len(lines); i++ {
		// A test binary names the package by its import path.
		fn := strings.Replace(lines[i], "github.com/asyncio-go/asyncio/examples/blockingcall.", "main.", 1)
		if !strings.HasPrefix(fn, "main.") {
			continue
		}
		fn, _, _ = strings.Cut(fn, "(")
		loc := strings.TrimSpace(lines[i+1])
		loc, _, _ = strings.Cut(loc, " +0x")
		out = append(out, fn+" "+filepath.Base(loc))
	}
	return out
}

// lockedWriter serializes writes from the loop and from the watchdog.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
