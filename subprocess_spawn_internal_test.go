//go:build unix

package asyncio

import (
	"context"
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"
)

// A start cancelled before its child has started, or after the child was
// handed over but before the waiting task resumed, leaves no process and
// no descriptor behind once the loop has closed.
func TestStartOffLoopCancelled(t *testing.T) {
	for _, handedOver := range []bool{false, true} {
		var (
			c     *child
			pipes [3]*os.File
		)
		_, err := Run(func(ctx context.Context) (struct{}, error) {
			l := RunningLoop(ctx)
			release, entered := make(chan struct{}), make(chan struct{})
			task := Spawn(ctx, func(ctx context.Context) (*child, error) {
				return startOffLoop(ctx, l, func() (*child, error) {
					close(entered)
					<-release
					var err error
					c, err = startChild("sleep", true, []string{"sleep", "60"}, procConfig{stdin: Pipe, stdout: Pipe, killOnCancel: true})
					if err == nil {
						pipes = c.parent
					}
					return c, err
				})
			})
			Sleep(ctx, 0) // the task waits for the start
			if handedOver {
				close(release)
				// Hold the loop until the goroutine has handed the child
				// over and resumed the task: the cancellation then comes
				// before the task runs again, and wins.
				for l.external.Load() != 0 {
					runtime.Gosched()
				}
				task.Cancel()
			} else {
				<-entered // hold the loop until the start is under way
				task.Cancel()
				Sleep(ctx, 0) // the task gives up
				close(release)
			}
			if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("handedOver=%v: cancelled start returned %v", handedOver, err)
			}
			return struct{}{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Close waited for the loop's goroutines, so the child is reaped.
		if c == nil {
			t.Fatalf("handedOver=%v: the child did not start", handedOver)
		}
		if err := syscall.Kill(c.proc.Pid, 0); err != syscall.ESRCH {
			t.Errorf("handedOver=%v: child %d still there (kill: %v)", handedOver, c.proc.Pid, err)
		}
		for i, f := range pipes {
			if f != nil && !errors.Is(f.Close(), os.ErrClosed) {
				t.Errorf("handedOver=%v: pipe %d left open", handedOver, i)
			}
		}
	}
}

// A start whose task has stopped waiting before the start's turn came
// starts nothing.
func TestStartOffLoopAbandonedBeforeItsTurn(t *testing.T) {
	started := false
	_, err := Run(func(ctx context.Context) (struct{}, error) {
		l := RunningLoop(ctx)
		spawnSlot <- struct{}{} // another start holds the slot
		task := Spawn(ctx, func(ctx context.Context) (*child, error) {
			return startOffLoop(ctx, l, func() (*child, error) {
				started = true
				return nil, errors.New("not wanted")
			})
		})
		Sleep(ctx, 0) // the task waits for the start
		task.Cancel()
		if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled start returned %v", err)
		}
		<-spawnSlot
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if started { // Close waited for the goroutine
		t.Error("a start nobody waited for any more ran")
	}
}
