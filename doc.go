// Package asyncio is Python's asyncio for Go: a single-threaded event loop
// that runs cooperative tasks, with futures, level-triggered cancellation
// through context.Context, timeout scopes, task groups and a virtual clock.
//
// A program starts the loop with Run, which runs a main function as the
// first task and returns its result:
//
//	v, err := asyncio.Run(func(ctx context.Context) (int, error) {
//		t := asyncio.Spawn(ctx, work, asyncio.Name("work"))
//		if err := asyncio.Sleep(ctx, time.Second); err != nil {
//			return 0, err
//		}
//		return t.Wait(ctx)
//	})
//
// # One task at a time
//
// Every task body runs on its own goroutine, but the loop hands control to
// exactly one of them at a time and takes it back at the next wait (Sleep,
// Task.Wait, Future.Wait, Gather, ...). The code a task runs between two waits
// is therefore atomic with respect to every other task of its loop: state
// shared only between tasks of one loop needs no mutex.
//
// # Cancellation
//
// The ctx a task receives is cancelled by Task.Cancel, by the task group or
// Gather it belongs to, or by the expiry of a timeout scope. Cancellation is
// level-triggered: once the ctx is done, every wait that uses it returns an
// error satisfying errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded inside an expired timeout scope) until the task
// returns. A cancellation that arrives while a wait is suspended wins over
// a completion that arrives in the same iteration of the loop, as in
// asyncio; nothing is lost by it, since the future or task keeps its
// result. A wait for something that is already done returns its result at
// once without looking at ctx, as awaiting a finished future does in
// asyncio; Sleep always looks. A function that must finish in spite of
// cancellation uses context.WithoutCancel(ctx), which shields it; asyncio's
// shield is Shield.
//
// # Goroutines
//
// Calls that only schedule or resolve are safe from any goroutine:
// Loop.CallSoonThreadsafe, Future.SetResult, Future.SetError, Task.Cancel,
// Handle.Cancel, Task.Done, Event.Set, Lock.Release, Semaphore.Release,
// Queue.TryPut and Queue.Shutdown, Submit, Loop.Stop. Calls that wait take
// a ctx. Given the ctx of a
// task they suspend that task; called with any other ctx, from a goroutine
// that is not a task, they block that goroutine until done or until ctx is
// done. Waiting with the ctx of a task from outside that task returns
// ErrWrongGoroutine: the loop knows which task is running, so a wait from
// another task, from a callback, or from any goroutine while the loop
// sleeps is caught. A goroutine started by a task and waiting with the
// task's ctx at the moment that task runs (or has just yielded) is caught
// only in debug mode, which compares goroutines. Debug mode also catches the
// converse mistake: a task that waits with a ctx of no task
// (context.Background(), say) would block its own loop, and gets
// ErrBlocksLoop instead.
//
// Loop.CallSoon, Loop.CallLater, Loop.CallAt and Spawn must be called from
// code running on the loop; Submit starts a task from anywhere. Locks,
// semaphores, events, conditions, barriers and queues are not tied to a
// loop: tasks and plain goroutines can share them, which makes a Queue the
// natural bridge between loop code and the rest of a Go program.
package asyncio
