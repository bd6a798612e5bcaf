package asyncio

import (
	"context"
	"time"
)

// Sleep suspends the task of ctx for d on its loop's clock, and returns nil,
// or ctx's error as soon as ctx is done (asyncio.sleep). Sleep(ctx, 0), or
// any d ≤ 0, gives up the loop for exactly one iteration: every task and
// callback that was ready runs once before the caller resumes.
//
// Called with a ctx that belongs to no task, Sleep blocks the calling
// goroutine for d of real time.
func Sleep(ctx context.Context, d time.Duration) error {
	t, err := taskOf(ctx)
	if err != nil {
		return err
	}
	if t == nil {
		return sleepBlocking(ctx, d)
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	l := t.loop
	t.waitingIn, t.waitOn = waitSleep, nil
	if d <= 0 {
		w := t.beginWait()
		w.fire()
		for {
			if err := t.suspend(); err != nil {
				return err
			}
			if err := waitError(ctx); err != nil {
				return err
			}
			if w.resumed() {
				return nil
			}
			// Woken by a cancellation that is not ctx's (ctx is shielded,
			// or the cancellation came and went while the task ran): the
			// entry pushed above is still queued and is the one to wait
			// for, so the task still gives up exactly one iteration.
		}
	}
	timer := &TimerHandle{task: t, gen: t.beginWait().short()}
	l.addTimer(timer, l.clock.Now()+d)
	for {
		if err := t.park(ctx); err != nil {
			timer.Cancel()
			return err
		}
		if err := waitError(ctx); err != nil {
			timer.Cancel()
			return err
		}
		if !timer.heaped.Load() && !timer.cancelled.Load() { // it fired
			return nil
		}
	}
}

func sleepBlocking(ctx context.Context, d time.Duration) error {
	if err := checkBlocking(); err != nil {
		return err
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return waitError(ctx)
	}
}
