package asyncio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

type barrierResult struct {
	index int
	err   error
	at    time.Duration
}

// barrierParty spawns a task that sleeps d, waits at b, and reports.
func barrierParty(ctx context.Context, b *asyncio.Barrier, d time.Duration) *asyncio.Task[barrierResult] {
	return asyncio.Spawn(ctx, func(ctx context.Context) (barrierResult, error) {
		if err := asyncio.Sleep(ctx, d); err != nil {
			return barrierResult{err: err}, nil
		}
		i, err := b.Wait(ctx)
		return barrierResult{index: i, err: err, at: vnow(ctx)}, nil
	})
}

func results(ctx context.Context, t *testing.T, tasks []*asyncio.Task[barrierResult]) []barrierResult {
	t.Helper()
	var out []barrierResult
	for _, tk := range tasks {
		r, err := tk.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// indexesArePermutation checks that rs carry the indexes 0..n-1, each once,
// and no error.
func indexesArePermutation(t *testing.T, rs []barrierResult) {
	t.Helper()
	var idx []int
	for _, r := range rs {
		if r.err != nil {
			t.Fatalf("Wait: %v", r.err)
		}
		idx = append(idx, r.index)
	}
	slices.Sort(idx)
	for i, v := range idx {
		if v != i {
			t.Fatalf("indexes %v, want each of 0..%d once", idx, len(rs)-1)
		}
	}
}

func TestBarrierNeedsAParty(t *testing.T) {
	mustPanic(t, func() { asyncio.NewBarrier(0) })
	mustPanic(t, func() { asyncio.NewBarrier(-3) })
	if b := asyncio.NewBarrier(3); b.Parties() != 3 || b.Waiting() != 0 || b.Broken() {
		t.Fatal("a new barrier: wrong Parties, Waiting or Broken")
	}
}

// Every party waits until the last arrives, then all pass together with
// the indexes 0..n-1 in arrival order.
func TestBarrierReleasesAllTogether(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(4)
		var tasks []*asyncio.Task[barrierResult]
		for i := range 4 {
			tasks = append(tasks, barrierParty(ctx, b, time.Duration(i+1)*time.Second))
		}
		asyncio.Sleep(ctx, 2*time.Second+time.Millisecond)
		if b.Waiting() != 2 {
			t.Fatalf("Waiting() = %d with two arrived", b.Waiting())
		}
		rs := results(ctx, t, tasks)
		indexesArePermutation(t, rs)
		for i, r := range rs {
			if r.index != i {
				t.Errorf("party arriving %d-th got index %d", i, r.index)
			}
			if r.at != 4*time.Second {
				t.Errorf("party %d passed at %v, want 4s (when the last arrived)", i, r.at)
			}
		}
		if b.Waiting() != 0 || b.Broken() {
			t.Fatalf("after the pass: Waiting %d, Broken %v", b.Waiting(), b.Broken())
		}
		// A single party passes at once.
		one := asyncio.NewBarrier(1)
		for range 3 {
			if i, err := one.Wait(ctx); i != 0 || err != nil {
				t.Fatalf("Barrier(1).Wait = %d, %v", i, err)
			}
		}
		return nil
	})
}

// The barrier fills again after each pass.
func TestBarrierReuse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(3)
		var tasks []*asyncio.Task[[]int]
		for p := range 3 {
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) {
				var idx []int
				for round := range 4 {
					// Arrive in a different order each round.
					asyncio.Sleep(ctx, time.Duration((p+round)%3+1)*time.Second)
					i, err := b.Wait(ctx)
					if err != nil {
						return idx, err
					}
					idx = append(idx, i)
				}
				return idx, nil
			}))
		}
		var rounds [4][]barrierResult
		for _, tk := range tasks {
			idx, err := tk.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for r, i := range idx {
				rounds[r] = append(rounds[r], barrierResult{index: i})
			}
		}
		for r := range rounds {
			indexesArePermutation(t, rounds[r])
		}
		// Round 0: party p arrives at p+1 s, so its index is p.
		for p, r := range rounds[0] {
			if r.index != p {
				t.Fatalf("round 0 indexes %v, want arrival order", rounds[0])
			}
		}
		return nil
	})
}

// A party that passed and comes back at once, before the others of its
// group have left the barrier, waits for the next group: it cannot pass
// twice with one group.
func TestBarrierFastPartyWaitsForNextRound(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(2)
		slow := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return b.Wait(ctx) })
		asyncio.Sleep(ctx, 0)
		var fast []int
		fastT := goTask(ctx, func(ctx context.Context) error {
			for range 2 {
				i, err := b.Wait(ctx) // the second without yielding in between
				if err != nil {
					return err
				}
				fast = append(fast, i)
			}
			return nil
		})
		if i, err := slow.Wait(ctx); i != 0 || err != nil {
			t.Fatalf("slow: %d, %v", i, err)
		}
		asyncio.Sleep(ctx, time.Second)
		if fastT.Done() || len(fast) != 1 || fast[0] != 1 {
			t.Fatalf("fast passed %v, done %v: it must wait for a second party", fast, fastT.Done())
		}
		if b.Waiting() != 1 {
			t.Fatalf("Waiting() = %d", b.Waiting())
		}
		third, err := b.Wait(ctx)
		if err != nil || errOf(ctx, fastT) != nil {
			t.Fatal(err)
		}
		if fast[1] != 0 || third != 1 {
			t.Fatalf("second round: fast %d, main %d; want 0 and 1", fast[1], third)
		}
		return nil
	})
}

// Reset breaks the current waiters with ErrBrokenBarrier; the barrier is
// usable again afterwards.
func TestBarrierReset(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(3)
		a1, a2 := barrierParty(ctx, b, 0), barrierParty(ctx, b, 0)
		asyncio.Sleep(ctx, time.Second)
		if b.Waiting() != 2 {
			t.Fatalf("Waiting() = %d", b.Waiting())
		}
		b.Reset()
		for _, r := range results(ctx, t, []*asyncio.Task[barrierResult]{a1, a2}) {
			if !errors.Is(r.err, asyncio.ErrBrokenBarrier) {
				t.Fatalf("waiter after Reset: %d, %v", r.index, r.err)
			}
		}
		if b.Broken() || b.Waiting() != 0 {
			t.Fatalf("after Reset: Broken %v, Waiting %d", b.Broken(), b.Waiting())
		}
		var tasks []*asyncio.Task[barrierResult]
		for range 3 {
			tasks = append(tasks, barrierParty(ctx, b, 0))
		}
		indexesArePermutation(t, results(ctx, t, tasks))
		// Reset of an empty barrier is harmless.
		b.Reset()
		tasks = tasks[:0]
		for range 3 {
			tasks = append(tasks, barrierParty(ctx, b, 0))
		}
		indexesArePermutation(t, results(ctx, t, tasks))
		return nil
	})
}

// A newcomer arriving while a Reset is still letting the broken waiters
// out is not broken: it waits to fill the barrier anew.
func TestBarrierNewcomerDuringReset(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(2)
		old := barrierParty(ctx, b, 0)
		asyncio.Sleep(ctx, time.Second)
		if b.Waiting() != 1 {
			t.Fatalf("Waiting() = %d", b.Waiting())
		}
		// The newcomer's first step is queued before the wake of old that
		// Reset queues: it arrives while old has not left yet.
		newcomer := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return b.Wait(ctx) })
		b.Reset()
		rs := results(ctx, t, []*asyncio.Task[barrierResult]{old})
		if !errors.Is(rs[0].err, asyncio.ErrBrokenBarrier) {
			t.Fatalf("old waiter: %v", rs[0].err)
		}
		asyncio.Sleep(ctx, time.Second)
		if newcomer.Done() {
			i, err := newcomer.Wait(ctx)
			t.Fatalf("newcomer returned %d, %v alone at a barrier of 2", i, err)
		}
		if b.Waiting() != 1 {
			t.Fatalf("Waiting() = %d, want the newcomer", b.Waiting())
		}
		i, err := b.Wait(ctx)
		ni, nerr := newcomer.Wait(ctx)
		if err != nil || nerr != nil || ni != 0 || i != 1 {
			t.Fatalf("newcomer %d %v, main %d %v", ni, nerr, i, err)
		}
		return nil
	})
}

// Abort breaks the barrier for good: waiters and later callers get
// ErrBrokenBarrier.
func TestBarrierAbort(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(3)
		a := barrierParty(ctx, b, 0)
		asyncio.Sleep(ctx, time.Second)
		b.Abort()
		if !b.Broken() {
			t.Fatal("Broken() false after Abort")
		}
		if r := results(ctx, t, []*asyncio.Task[barrierResult]{a})[0]; !errors.Is(r.err, asyncio.ErrBrokenBarrier) {
			t.Fatalf("waiter after Abort: %v", r.err)
		}
		for range 2 {
			if _, err := b.Wait(ctx); !errors.Is(err, asyncio.ErrBrokenBarrier) {
				t.Fatalf("Wait on an aborted barrier: %v", err)
			}
		}
		if vnow(ctx) != time.Second {
			t.Errorf("Waits on an aborted barrier waited until %v", vnow(ctx))
		}
		return nil
	})
}

// A waiter cancelled while the barrier fills leaves it: it no longer counts
// as arrived, and the barrier fills with a newcomer in its place. The
// indexes of the group that passes are still 0..n-1, each once (asyncio's
// documented promise, "different for each task").
func TestBarrierCancelledWaiterLeaves(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(3)
		x := barrierParty(ctx, b, 0)
		y := barrierParty(ctx, b, 0)
		asyncio.Sleep(ctx, time.Second)
		x.Cancel()
		if r, _ := x.Wait(ctx); !isCancel(r.err) {
			t.Fatalf("cancelled waiter: %+v", r)
		}
		if b.Waiting() != 1 {
			t.Fatalf("Waiting() = %d after one of two left", b.Waiting())
		}
		z := barrierParty(ctx, b, time.Second)
		asyncio.Sleep(ctx, 2*time.Second)
		if y.Done() || z.Done() {
			t.Fatal("the barrier passed with the cancelled waiter counted")
		}
		w := barrierParty(ctx, b, time.Second)
		rs := results(ctx, t, []*asyncio.Task[barrierResult]{y, z, w})
		indexesArePermutation(t, rs)
		if rs[2].index != 2 {
			t.Errorf("the last to arrive got index %d, want 2", rs[2].index)
		}
		// The same with a timeout: the timed-out party leaves.
		y2 := barrierParty(ctx, b, 0)
		_, err := asyncio.WaitFor(ctx, time.Second, b.Wait)
		if !isTimeout(err) || b.Waiting() != 1 {
			t.Fatalf("WaitFor(Wait) = %v, Waiting %d", err, b.Waiting())
		}
		z2, w2 := barrierParty(ctx, b, 0), barrierParty(ctx, b, 0)
		indexesArePermutation(t, results(ctx, t, []*asyncio.Task[barrierResult]{y2, z2, w2}))
		return nil
	})
}

// Wait with a cancelled ctx fails at once without arriving.
func TestBarrierWaitCancelledCtx(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := asyncio.NewBarrier(2)
		if _, err := b.Wait(cancelledCtx(ctx)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait with a cancelled ctx: %v", err)
		}
		if b.Waiting() != 0 {
			t.Fatalf("Waiting() = %d: the failed Wait counted as arrived", b.Waiting())
		}
		// Nor does it complete a barrier that lacks one party.
		a := barrierParty(ctx, b, 0)
		asyncio.Sleep(ctx, 0)
		if _, err := b.Wait(cancelledCtx(ctx)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait with a cancelled ctx: %v", err)
		}
		asyncio.Sleep(ctx, 0)
		if a.Done() {
			t.Fatal("a Wait with a cancelled ctx released the barrier")
		}
		b.Abort()
		results(ctx, t, []*asyncio.Task[barrierResult]{a})
		return nil
	})
}

// Goroutines and tasks can meet at one barrier.
func TestBarrierAcrossGoroutines(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		const n = 4
		b := asyncio.NewBarrier(2 * n)
		var rs []barrierResult
		var futs []*asyncio.Future[barrierResult]
		for range n {
			f := asyncio.NewFuture[barrierResult](ctx)
			futs = append(futs, f)
			go func() {
				i, err := b.Wait(context.Background())
				f.SetResult(barrierResult{index: i, err: err})
			}()
		}
		var tasks []*asyncio.Task[barrierResult]
		for range n {
			tasks = append(tasks, barrierParty(ctx, b, 0))
		}
		rs = results(ctx, t, tasks)
		for _, f := range futs {
			r, _ := f.Wait(ctx)
			rs = append(rs, r)
		}
		indexesArePermutation(t, rs)
		return nil
	}, realClock())
}
