package asyncio_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A snapshot lists what every task waits for, and since when: here, on a
// virtual clock, a worker holding a lock for an hour and another waiting
// for it.
func ExampleLoop_Snapshot() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		lock := asyncio.NewLock()
		holder := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			lock.Acquire(ctx)
			defer lock.Release()
			return struct{}{}, asyncio.Sleep(ctx, time.Hour)
		}, asyncio.Name("holder"))
		waiter := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			if err := lock.Acquire(ctx); err != nil {
				return struct{}{}, err
			}
			lock.Release()
			return struct{}{}, nil
		}, asyncio.Name("waiter"))
		asyncio.Sleep(ctx, 90*time.Second)

		snap, _ := asyncio.RunningLoop(ctx).Snapshot(ctx)
		var tree strings.Builder
		snap.WriteTree(&tree)
		_, body, _ := strings.Cut(tree.String(), "\n") // after "loop N: ..."
		fmt.Print(body)

		holder.Cancel()
		holder.Wait(ctx)
		waiter.Wait(ctx)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// └── main (#1) running
	//     ├── holder (#2) waiting in Sleep, 1m30s
	//     └── waiter (#3) waiting in Lock.Acquire for holder, 1m30s
}

// progress is a lazy annotation: what a worker task is at, made into text
// only when a snapshot asks.
type progress struct{ done, of atomic.Int64 }

func (p *progress) String() string {
	return fmt.Sprintf("resizing images: %d of %d done", p.done.Load(), p.of.Load())
}

// AnnotateWith describes a task that does many short things without
// building a line of text for each: the snapshot reads the note.
func ExampleAnnotateWith() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		p := &progress{}
		p.of.Store(100)
		worker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			defer asyncio.AnnotateWith(ctx, p)()
			for range p.of.Load() {
				if err := asyncio.Sleep(ctx, time.Second); err != nil { // one image
					return struct{}{}, err
				}
				p.done.Add(1)
			}
			return struct{}{}, nil
		}, asyncio.Name("resizer"))
		asyncio.Sleep(ctx, 42500*time.Millisecond)

		snap, _ := asyncio.RunningLoop(ctx).Snapshot(ctx)
		for _, ti := range snap.Tasks {
			if ti.Name == "resizer" {
				fmt.Println(ti.Doing)
			}
		}
		worker.Cancel()
		worker.Wait(ctx)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// resizing images: 42 of 100 done
}

// The watchdog reports a step that blocks the loop while it still blocks,
// with the stack of the goroutine running it, and again when it ends.
func ExampleWithStallHandler() {
	release := make(chan struct{})
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		<-release // a blocking call in a task: the loop is stuck
		return struct{}{}, nil
	}, asyncio.WithSlowDuration(50*time.Millisecond), asyncio.WithStallHandler(func(s asyncio.Stall) {
		if !s.Ongoing {
			fmt.Printf("task %q has let the loop go after %v or more\n", s.Task, 50*time.Millisecond)
			return
		}
		fmt.Printf("task %q blocks the loop; its stack shows the line: %v\n",
			s.Task, strings.Contains(s.Stack, "example_introspect_test.go:"))
		close(release)
	}))
	// Output:
	// task "main" blocks the loop; its stack shows the line: true
	// task "main" has let the loop go after 50ms or more
}
