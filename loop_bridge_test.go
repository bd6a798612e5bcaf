package asyncio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// A plain goroutine submits work to a running loop and waits for it.
func TestSubmitWaitFromGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		counter := 0 // touched only by tasks of the loop: no mutex needed
		results := make(chan int, 3)
		for range 3 {
			go func() {
				v, err := asyncio.SubmitWait(context.Background(), loop, func(ctx context.Context) (int, error) {
					counter++
					n := counter
					return n, asyncio.Sleep(ctx, time.Millisecond)
				})
				if err != nil {
					t.Error(err)
				}
				results <- v
			}()
		}
		sum := 0
		for range 3 {
			v, _, err := asyncio.Recv(ctx, results)
			if err != nil {
				return err
			}
			sum += v
		}
		if sum != 1+2+3 || counter != 3 {
			t.Errorf("sum %d counter %d", sum, counter)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

// Cancelling the waiter's ctx cancels the submitted task; cancelling the
// task reaches the waiter.
func TestSubmitWaitCancellationBothWays(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		started := asyncio.NewEvent()
		var taskErr error
		ended := asyncio.NewEvent()
		wctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		waitErr := make(chan error, 1)
		go func() {
			_, err := asyncio.SubmitWait(wctx, loop, func(ctx context.Context) (int, error) {
				started.Set()
				taskErr = asyncio.Sleep(ctx, time.Hour)
				ended.Set()
				return 0, taskErr
			})
			waitErr <- err
		}()
		if err := started.Wait(ctx); err != nil {
			return err
		}
		cancel()
		if err, _, _ := asyncio.Recv(ctx, waitErr); !errors.Is(err, context.Canceled) {
			t.Errorf("SubmitWait after its ctx ended: %v", err)
		}
		ended.Wait(ctx)
		if !errors.Is(taskErr, context.Canceled) {
			t.Errorf("the submitted task was not cancelled: %v", taskErr)
		}

		task, err := asyncio.Submit(loop, func(ctx context.Context) (int, error) {
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		if err != nil {
			return err
		}
		asyncio.Sleep(ctx, 0)
		task.Cancel()
		if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("waiter of a cancelled submitted task: %v", err)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

func TestSubmitToClosedLoop(t *testing.T) {
	l := asyncio.NewLoop()
	l.Close()
	if _, err := asyncio.Submit(l, ret(1)); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Fatalf("Submit to a closed loop: %v", err)
	}
}

func TestRecv(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ch := make(chan string)
		ticks := 0
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for asyncio.Sleep(ctx, 0) == nil {
				if ticks++; ticks == 5 {
					go func() { ch <- "hello"; close(ch) }()
				}
			}
			return ticks, nil
		})
		v, ok, err := asyncio.Recv(ctx, ch)
		if v != "hello" || !ok || err != nil {
			t.Errorf("Recv = %q %v %v", v, ok, err)
		}
		if ticks < 5 {
			t.Errorf("the loop did not run while Recv waited: %d ticks", ticks)
		}
		_, ok, err = asyncio.Recv(ctx, ch)
		if ok || err != nil {
			t.Errorf("Recv of a closed channel = %v %v", ok, err)
		}
		ticker.Cancel()
		ticker.Wait(ctx)

		never := make(chan int)
		err = asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			_, _, err := asyncio.Recv(ctx, never)
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Recv under a timeout: %v", err)
		}
		return nil
	})
}
