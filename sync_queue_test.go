package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// getTask spawns a task that makes one Get.
func getTask[T any](ctx context.Context, q *asyncio.Queue[T]) *asyncio.Task[T] {
	return asyncio.Spawn(ctx, q.Get)
}

// putTask spawns a task that makes one Put.
func putTask[T any](ctx context.Context, q *asyncio.Queue[T], v T) *asyncio.Task[struct{}] {
	return goTask(ctx, func(ctx context.Context) error { return q.Put(ctx, v) })
}

func TestQueueOrders(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		in := []int{5, 1, 4, 2, 3}
		for _, c := range []struct {
			name string
			q    *asyncio.Queue[int]
			want []int
		}{
			{"fifo", asyncio.NewQueue[int](0), []int{5, 1, 4, 2, 3}},
			{"lifo", asyncio.NewLifoQueue[int](0), []int{3, 2, 4, 1, 5}},
			{"priority", asyncio.NewPriorityQueue(0, func(a, b int) bool { return a < b }), []int{1, 2, 3, 4, 5}},
		} {
			for i, v := range in {
				if i%2 == 0 {
					if err := c.q.Put(ctx, v); err != nil {
						t.Fatal(err)
					}
				} else if err := c.q.TryPut(v); err != nil {
					t.Fatal(err)
				}
			}
			if c.q.Len() != 5 || c.q.Empty() || c.q.Full() {
				t.Fatalf("%s: Len %d, Empty %v, Full %v", c.name, c.q.Len(), c.q.Empty(), c.q.Full())
			}
			var got []int
			for i := range in {
				var v int
				var err error
				if i%2 == 0 {
					v, err = c.q.Get(ctx)
				} else {
					v, err = c.q.TryGet()
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s order %v, want %v", c.name, got, c.want)
			}
			if !c.q.Empty() || c.q.Len() != 0 {
				t.Errorf("%s: not empty at the end", c.name)
			}
		}
		if vnow(ctx) != 0 {
			t.Errorf("Put and Get with room and items waited until %v", vnow(ctx))
		}
		return nil
	})
}

// maxsize ≤ 0 means unbounded.
func TestQueueUnbounded(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		for _, size := range []int{0, -1} {
			q := asyncio.NewQueue[int](size)
			if q.MaxSize() != size {
				t.Fatalf("MaxSize() = %d", q.MaxSize())
			}
			for i := range 1000 {
				if err := q.TryPut(i); err != nil {
					t.Fatalf("maxsize %d: TryPut #%d: %v", size, i, err)
				}
			}
			if err := q.Put(ctx, 1000); err != nil {
				t.Fatal(err)
			}
			if q.Full() || q.Len() != 1001 {
				t.Fatalf("maxsize %d: Full %v, Len %d", size, q.Full(), q.Len())
			}
			got := drain(q)
			for i, v := range got {
				if v != i {
					t.Fatalf("item %d is %d", i, v)
				}
			}
		}
		if vnow(ctx) != 0 {
			t.Errorf("Put on an unbounded queue waited until %v", vnow(ctx))
		}
		return nil
	})
}

func TestQueueTryErrors(t *testing.T) {
	q := asyncio.NewQueue[string](2)
	if _, err := q.TryGet(); !errors.Is(err, asyncio.ErrQueueEmpty) {
		t.Fatalf("TryGet on empty: %v", err)
	}
	q.TryPut("a")
	q.TryPut("b")
	if !q.Full() {
		t.Fatal("Full() false at maxsize")
	}
	if err := q.TryPut("c"); !errors.Is(err, asyncio.ErrQueueFull) {
		t.Fatalf("TryPut on full: %v", err)
	}
	if got := drain(q); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("items %v: the refused TryPut went in", got)
	}
}

// Put waits while the queue is full; waiting putters go in, one per freed
// slot, in the order they came.
func TestQueuePutBlocksWhileFullFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](2)
		q.TryPut(0)
		q.TryPut(1)
		var done []int
		var putters []*asyncio.Task[struct{}]
		for i := 2; i < 6; i++ {
			putters = append(putters, goTask(ctx, func(ctx context.Context) error {
				if err := q.Put(ctx, i); err != nil {
					return err
				}
				done = append(done, i)
				return nil
			}))
			asyncio.Sleep(ctx, 0)
		}
		asyncio.Sleep(ctx, time.Second)
		if len(done) != 0 || q.Len() != 2 || !q.Full() {
			t.Fatalf("Puts into a full queue returned: %v (Len %d)", done, q.Len())
		}
		if err := q.TryPut(99); !errors.Is(err, asyncio.ErrQueueFull) {
			t.Fatalf("TryPut with putters waiting: %v", err)
		}
		var got []int
		for i := range 6 {
			v, err := q.Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			yieldN(ctx, 2)
			if want := min(i+1, 4); len(done) != want {
				t.Fatalf("after %d Gets, putters done %v", i+1, done)
			}
			if q.Len() > q.MaxSize() {
				t.Fatalf("Len %d above maxsize", q.Len())
			}
		}
		if !slices.Equal(got, []int{0, 1, 2, 3, 4, 5}) || !slices.Equal(done, []int{2, 3, 4, 5}) {
			t.Fatalf("got %v, putters done %v", got, done)
		}
		for _, p := range putters {
			if err := errOf(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
}

// Waiting getters are served in the order they came.
func TestQueueGettersFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](0)
		var getters []*asyncio.Task[int]
		for range 4 {
			getters = append(getters, getTask(ctx, q))
			asyncio.Sleep(ctx, 0)
		}
		for i := range 4 {
			q.TryPut(10 + i)
		}
		// An item put while getters wait goes to them, not to TryGet.
		if _, err := q.TryGet(); !errors.Is(err, asyncio.ErrQueueEmpty) {
			t.Fatalf("TryGet took an item meant for a waiting getter: %v", err)
		}
		for i, g := range getters {
			if v, err := g.Wait(ctx); v != 10+i || err != nil {
				t.Fatalf("getter %d got %d, %v", i, v, err)
			}
		}
		return nil
	})
}

// Join waits until TaskDone was called for every item put; TaskDone once
// too often panics.
func TestQueueTaskDoneJoin(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](0)
		if err := q.Join(ctx); err != nil {
			t.Fatalf("Join of a fresh queue: %v", err)
		}
		mustPanic(t, q.TaskDone)
		for i := range 3 {
			q.TryPut(i)
		}
		joined := goTask(ctx, q.Join)
		for range 3 {
			q.Get(ctx)
		}
		asyncio.Sleep(ctx, time.Second)
		if joined.Done() {
			t.Fatal("Join returned when the items were taken, before TaskDone")
		}
		q.TaskDone()
		q.TaskDone()
		asyncio.Sleep(ctx, time.Second)
		if joined.Done() {
			t.Fatal("Join returned with one item unfinished")
		}
		if err := asyncio.Timeout(ctx, time.Second, q.Join); !isTimeout(err) {
			t.Fatalf("Timeout(Join) = %v", err)
		}
		q.TaskDone()
		if err := errOf(ctx, joined); err != nil {
			t.Fatal(err)
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("Join returned at %v", vnow(ctx))
		}
		mustPanic(t, q.TaskDone)
		if err := q.Join(ctx); err != nil {
			t.Fatal(err)
		}
		return nil
	})
}

// Shutdown(false): Put fails at once; Get drains what is left, then fails;
// waiting putters and getters wake with ErrQueueShutDown.
func TestQueueShutdown(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](2)
		q.TryPut(1)
		q.TryPut(2)
		putter := putTask(ctx, q, 3)
		empty := asyncio.NewQueue[int](0)
		g1, g2 := getTask(ctx, empty), getTask(ctx, empty)
		asyncio.Sleep(ctx, time.Second)
		q.Shutdown(false)
		empty.Shutdown(false)
		if err := errOf(ctx, putter); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("waiting putter: %v", err)
		}
		for _, g := range []*asyncio.Task[int]{g1, g2} {
			if _, err := g.Wait(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
				t.Fatalf("waiting getter: %v", err)
			}
		}
		if err := q.Put(ctx, 4); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("Put after Shutdown: %v", err)
		}
		if err := q.TryPut(4); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("TryPut after Shutdown: %v", err)
		}
		if v, err := q.Get(ctx); v != 1 || err != nil {
			t.Fatalf("Get after Shutdown: %d, %v; the items left are still served", v, err)
		}
		if v, err := q.TryGet(); v != 2 || err != nil {
			t.Fatalf("TryGet after Shutdown: %d, %v", v, err)
		}
		if _, err := q.Get(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("Get of a drained shut-down queue: %v", err)
		}
		if _, err := q.TryGet(); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("TryGet of a drained shut-down queue: %v", err)
		}
		// The items taken are still to be marked done.
		if err := asyncio.Timeout(ctx, time.Second, q.Join); !isTimeout(err) {
			t.Fatalf("Join with two unfinished items: %v", err)
		}
		q.TaskDone()
		q.TaskDone()
		if err := q.Join(ctx); err != nil {
			t.Fatal(err)
		}
		q.Shutdown(false) // twice is harmless
		return nil
	})
}

// Shutdown(true) drops the items left, counts them as done so Join
// returns, and wakes everybody.
func TestQueueShutdownImmediate(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](3)
		for i := range 3 {
			q.TryPut(i)
		}
		putter := putTask(ctx, q, 3)
		joiner := goTask(ctx, q.Join)
		asyncio.Sleep(ctx, time.Second)
		q.Shutdown(true)
		if q.Len() != 0 || !q.Empty() {
			t.Fatalf("Len() = %d after an immediate Shutdown", q.Len())
		}
		if err := errOf(ctx, putter); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("waiting putter: %v", err)
		}
		if err := errOf(ctx, joiner); err != nil {
			t.Fatalf("Join after an immediate Shutdown: %v", err)
		}
		if _, err := q.Get(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("Get: %v", err)
		}
		mustPanic(t, q.TaskDone) // the dropped items were counted as done

		// An item already taken still needs its TaskDone.
		q2 := asyncio.NewQueue[int](0)
		q2.TryPut(1)
		q2.TryPut(2)
		q2.TryGet()
		j2 := goTask(ctx, q2.Join)
		asyncio.Sleep(ctx, 0)
		q2.Shutdown(true)
		asyncio.Sleep(ctx, time.Second)
		if j2.Done() {
			t.Fatal("Join returned with a taken item not marked done")
		}
		q2.TaskDone()
		if err := errOf(ctx, j2); err != nil {
			t.Fatal(err)
		}
		return nil
	})
}

// All yields the items as Get takes them and stops at shutdown; if ctx
// ends first it yields ctx's error and stops.
func TestQueueAll(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](1)
		goTask(ctx, func(ctx context.Context) error {
			for i := range 5 {
				if err := q.Put(ctx, i); err != nil {
					return err
				}
				asyncio.Sleep(ctx, time.Second)
			}
			q.Shutdown(false)
			return nil
		})
		var got []int
		for v, err := range q.All(ctx) {
			if err != nil {
				t.Fatalf("All yielded %v", err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("All yielded %v", got)
		}

		// Breaking out early is fine, and leaves the rest.
		q2 := asyncio.NewQueue[int](0)
		for i := range 3 {
			q2.TryPut(i)
		}
		for v := range q2.All(ctx) {
			if v == 1 {
				break
			}
		}
		if q2.Len() != 1 {
			t.Fatalf("Len() = %d after breaking at the second item", q2.Len())
		}

		// ctx ends: the error is yielded once, then the loop ends.
		var errs []error
		start := vnow(ctx)
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			var last error
			for v, err := range q2.All(ctx) {
				if err != nil {
					errs = append(errs, err)
					last = err
				} else if v != 2 {
					t.Errorf("All yielded %d", v)
				}
			}
			return last
		})
		if len(errs) != 1 || !errors.Is(errs[0], context.DeadlineExceeded) {
			t.Fatalf("All with an expiring ctx yielded errors %v", errs)
		}
		if !isTimeout(err) || vnow(ctx)-start != time.Second {
			t.Fatalf("Timeout = %v after %v", err, vnow(ctx)-start)
		}
		return nil
	})
}

// A getter cancelled after it was handed an item, before it resumed, gives
// the item back: to the next getter, else to the head of the queue.
// Nothing is lost or delivered twice.
func TestQueueGetterCancelledAfterGrantGivesItemBack(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[string](0)
		a, b := getTask(ctx, q), getTask(ctx, q)
		asyncio.Sleep(ctx, 0)
		q.TryPut("x") // to a
		a.Cancel()    // before a resumes
		if v, err := a.Wait(ctx); !isCancel(err) {
			t.Fatalf("a: %q, %v; the cancellation should win", v, err)
		}
		if v, err := b.Wait(ctx); v != "x" || err != nil {
			t.Fatalf("b: %q, %v; want the item a gave back", v, err)
		}
		if q.Len() != 0 {
			t.Fatalf("Len() = %d: x was duplicated", q.Len())
		}

		// No other getter: the item goes back to the head, before items
		// put after it.
		c := getTask(ctx, q)
		asyncio.Sleep(ctx, 0)
		q.TryPut("y") // to c
		c.Cancel()
		q.TryPut("z") // c has not resumed yet: z goes in the queue
		if _, err := c.Wait(ctx); !isCancel(err) {
			t.Fatalf("c: %v", err)
		}
		if got := drain(q); !slices.Equal(got, []string{"y", "z"}) {
			t.Fatalf("queue holds %v, want [y z]", got)
		}
		for range 3 {
			q.TaskDone() // x, y, z
		}
		mustPanic(t, q.TaskDone)
		return nil
	})
}

// The item a cancelled getter gives back takes the place its order gives
// it in a LIFO or priority queue: the queue was empty when it was put, so
// it is older than everything put since.
func TestQueueGiveBackKeepsOrder(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		for _, c := range []struct {
			name string
			q    *asyncio.Queue[int]
			want []int
		}{
			{"fifo", asyncio.NewQueue[int](0), []int{5, 3, 7}},
			{"lifo", asyncio.NewLifoQueue[int](0), []int{7, 3, 5}},
			{"priority", asyncio.NewPriorityQueue(0, func(a, b int) bool { return a < b }), []int{3, 5, 7}},
		} {
			g := getTask(ctx, c.q)
			asyncio.Sleep(ctx, 0)
			c.q.TryPut(5) // to g
			g.Cancel()
			c.q.TryPut(3)
			c.q.TryPut(7)
			if _, err := g.Wait(ctx); !isCancel(err) {
				t.Fatalf("%s: getter: %v", c.name, err)
			}
			if got := drain(c.q); !slices.Equal(got, c.want) {
				t.Errorf("%s: order %v, want %v (as if 5 had never been taken)", c.name, got, c.want)
			}
		}
		return nil
	})
}

// A putter cancelled after a slot was reserved for it, before it resumed,
// passes the slot on to the next putter.
func TestQueuePutterCancelledAfterReservePassesSlotOn(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[string](1)
		q.TryPut("x")
		a := putTask(ctx, q, "a")
		asyncio.Sleep(ctx, 0)
		b := putTask(ctx, q, "b")
		asyncio.Sleep(ctx, 0)
		if v, _ := q.TryGet(); v != "x" { // the slot is reserved for a
			t.Fatalf("TryGet = %q", v)
		}
		if err := q.TryPut("barger"); !errors.Is(err, asyncio.ErrQueueFull) {
			t.Fatalf("TryPut took the slot reserved for a waiting putter: %v", err)
		}
		a.Cancel() // before a resumes
		if err := errOf(ctx, a); !isCancel(err) {
			t.Fatalf("a: %v", err)
		}
		if err := errOf(ctx, b); err != nil {
			t.Fatalf("b: %v; the slot a had was not passed on", err)
		}
		if got := drain(q); !slices.Equal(got, []string{"b"}) {
			t.Fatalf("queue holds %v, want [b]", got)
		}
		// The last putter cancelled with a reserved slot frees it.
		q.TryPut("y")
		c := putTask(ctx, q, "c")
		asyncio.Sleep(ctx, 0)
		q.TryGet()
		c.Cancel()
		if err := errOf(ctx, c); !isCancel(err) {
			t.Fatalf("c: %v", err)
		}
		if q.Full() || q.Len() != 0 {
			t.Fatalf("Full %v, Len %d: the slot was lost", q.Full(), q.Len())
		}
		if err := q.TryPut("z"); err != nil {
			t.Fatalf("TryPut into the freed slot: %v", err)
		}
		return nil
	})
}

// Waiting putters are served in order even while a slot is reserved and a
// getter waits: a newcomer's Put does not overtake them (strict FIFO, as
// sync_queue.go documents), and items come out in the order the Puts began.
func TestQueueNewcomerPutDoesNotOvertakeReservedPutter(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[string](1)
		q.TryPut("x")
		p1 := putTask(ctx, q, "p1")
		asyncio.Sleep(ctx, 0)
		p2 := putTask(ctx, q, "p2")
		asyncio.Sleep(ctx, 0)
		// In one step: a getter and a newcomer are spawned, then x is
		// taken, which reserves the slot for p1. The getter waits, then the
		// newcomer puts, both before p1 resumes.
		g := getTask(ctx, q)
		p3 := putTask(ctx, q, "p3")
		if v, _ := q.TryGet(); v != "x" {
			t.Fatalf("TryGet = %q", v)
		}
		v, err := g.Wait(ctx)
		if err != nil || v != "p1" {
			t.Fatalf("the getter got %q, %v; want p1, whose Put came first", v, err)
		}
		var got []string
		for range 2 {
			v, err := q.Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, []string{"p2", "p3"}) {
			t.Fatalf("then %v, want [p2 p3]", got)
		}
		for _, p := range []*asyncio.Task[struct{}]{p1, p2, p3} {
			if err := errOf(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
}

// A putter handed a slot puts when it resumes; until then a newcomer, even
// with room left, waits behind it, so items go in in the order of the Put
// calls (the Semaphore's rule from asyncio 3.12, applied to slots).
func TestQueuePutterHandedSlotStillCounts(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[string](2)
		q.TryPut("x")
		q.TryPut("y")
		p1 := putTask(ctx, q, "a")
		asyncio.Sleep(ctx, 0)
		// In one step: both slots free up, the first reserved for p1.
		q.TryGet()
		q.TryGet()
		if !q.Full() {
			t.Fatal("Full() false with a putter handed a slot and not resumed")
		}
		if err := q.TryPut("b"); !errors.Is(err, asyncio.ErrQueueFull) {
			t.Fatalf("TryPut ahead of the putter handed a slot: %v", err)
		}
		p3 := putTask(ctx, q, "c")
		for _, p := range []*asyncio.Task[struct{}]{p1, p3} {
			if err := errOf(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if got := drain(q); !slices.Equal(got, []string{"a", "c"}) {
			t.Fatalf("queue holds %v, want [a c]", got)
		}
		return nil
	})
}

// Getters handed items resume in the order they began to wait, and a
// newcomer gets the next item after theirs, whatever the moment it comes.
func TestQueueGetterHandedItemKeepsOrder(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[string](0)
		g1, g2 := getTask(ctx, q), getTask(ctx, q)
		asyncio.Sleep(ctx, 0)
		q.TryPut("a")
		q.TryPut("b")
		if _, err := q.TryGet(); !errors.Is(err, asyncio.ErrQueueEmpty) {
			t.Fatalf("TryGet took an item handed to a getter: %v", err)
		}
		g3 := getTask(ctx, q)
		q.TryPut("c")
		for i, g := range []*asyncio.Task[string]{g1, g2, g3} {
			v, err := g.Wait(ctx)
			if want := string(rune('a' + i)); err != nil || v != want {
				t.Fatalf("getter %d got %q, %v; want %q", i+1, v, err, want)
			}
		}
		return nil
	})
}

// A putter whose slot was reserved before a Shutdown, but which resumes
// after it, fails with ErrQueueShutDown as asyncio's does (its put_nowait
// raises QueueShutDown): nothing goes into a queue that was shut down.
func TestQueueReservedPutterAfterShutdown(t *testing.T) {
	for _, immediate := range []bool{false, true} {
		t.Run(fmt.Sprintf("immediate=%v", immediate), func(t *testing.T) {
			asynciotest.Run(t, func(ctx context.Context) error {
				q := asyncio.NewQueue[int](1)
				q.TryPut(1)
				p := putTask(ctx, q, 2)
				asyncio.Sleep(ctx, 0)
				q.TryGet() // the slot goes to p
				q.TaskDone()
				q.Shutdown(immediate)
				if err := errOf(ctx, p); !errors.Is(err, asyncio.ErrQueueShutDown) {
					t.Fatalf("putter resuming after Shutdown: %v", err)
				}
				if q.Len() != 0 {
					t.Fatalf("Len() = %d: an item went into a shut-down queue", q.Len())
				}
				if err := asyncio.Timeout(ctx, time.Second, q.Join); err != nil {
					t.Fatalf("Join: %v", err)
				}
				return nil
			})
		})
	}
}

// A cancelled ctx makes Get fail at once even with items present, and Put
// even with room; neither changes the queue.
func TestQueueCancelledCtxFailsFast(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](5)
		q.TryPut(1)
		for _, c := range []context.Context{cancelledCtx(ctx), cancelledCtx(context.Background())} {
			if _, err := q.Get(c); !errors.Is(err, context.Canceled) {
				t.Fatalf("Get with a cancelled ctx: %v", err)
			}
			if err := q.Put(c, 2); !errors.Is(err, context.Canceled) {
				t.Fatalf("Put with a cancelled ctx: %v", err)
			}
			if q.Len() != 1 {
				t.Fatalf("Len() = %d", q.Len())
			}
		}
		if got := drain(q); !slices.Equal(got, []int{1}) {
			t.Fatalf("queue holds %v", got)
		}
		return nil
	})
}

// Timeouts around Get and Put behave like cancellations: ErrTimeout, and
// the queue is as it was.
func TestQueueTimeouts(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](1)
		_, err := asyncio.WaitFor(ctx, time.Second, q.Get)
		if !isTimeout(err) || vnow(ctx) != time.Second {
			t.Fatalf("WaitFor(Get) = %v at %v", err, vnow(ctx))
		}
		q.TryPut(1)
		err = asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error { return q.Put(ctx, 2) })
		if !isTimeout(err) || vnow(ctx) != 2*time.Second {
			t.Fatalf("Timeout(Put) = %v at %v", err, vnow(ctx))
		}
		if got := drain(q); !slices.Equal(got, []int{1}) {
			t.Fatalf("queue holds %v: the timed-out Put went in", got)
		}
		// Neither left a waiter behind to swallow an item or a slot.
		q.TryPut(3)
		if got := drain(q); !slices.Equal(got, []int{3}) {
			t.Fatalf("queue holds %v", got)
		}
		return nil
	})
}

// The item is put at the very moment the getter's timeout expires: either
// the getter has it, or the queue does; never both, never neither.
func TestQueueGetTimeoutRacesPut(t *testing.T) {
	for _, putFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("putFirst=%v", putFirst), func(t *testing.T) {
			asynciotest.Run(t, func(ctx context.Context) error {
				q := asyncio.NewQueue[int](0)
				putter := func() *asyncio.Task[struct{}] {
					return goTask(ctx, func(ctx context.Context) error {
						asyncio.Sleep(ctx, time.Second)
						return q.TryPut(7)
					})
				}
				var p *asyncio.Task[struct{}]
				if putFirst {
					p = putter()
				}
				g := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
					return asyncio.WaitFor(ctx, time.Second, q.Get)
				})
				if !putFirst {
					p = putter()
				}
				if err := errOf(ctx, p); err != nil {
					t.Fatal(err)
				}
				v, err := g.Wait(ctx)
				left := drain(q)
				switch {
				case err == nil && v == 7 && len(left) == 0:
				case isTimeout(err) && slices.Equal(left, []int{7}):
				default:
					t.Fatalf("getter %d, %v; queue holds %v", v, err, left)
				}
				return nil
			})
		})
	}
}

// Plain goroutines and tasks put into and get from one queue: every item
// is delivered exactly once.
func TestQueueGoroutinesAndTasks(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		const producers, perProducer, consumers = 4, 200, 4
		q := asyncio.NewQueue[int](8)
		item := func(kind, p, i int) int { return (kind*producers+p)*perProducer + i }

		var prodWG sync.WaitGroup
		for p := range producers {
			prodWG.Add(1)
			go func() {
				defer prodWG.Done()
				for i := range perProducer {
					if err := q.Put(context.Background(), item(0, p, i)); err != nil {
						t.Errorf("goroutine Put: %v", err)
						return
					}
				}
			}()
		}
		goProduced := asyncio.NewFuture[struct{}](ctx)
		go func() { prodWG.Wait(); goProduced.SetResult(struct{}{}) }()
		var prodTasks []*asyncio.Task[struct{}]
		for p := range producers {
			prodTasks = append(prodTasks, goTask(ctx, func(ctx context.Context) error {
				for i := range perProducer {
					if err := q.Put(ctx, item(1, p, i)); err != nil {
						return err
					}
				}
				return nil
			}))
		}

		goGot := make([][]int, consumers)
		var consWG sync.WaitGroup
		for c := range consumers {
			consWG.Add(1)
			go func() {
				defer consWG.Done()
				for {
					v, err := q.Get(context.Background())
					if errors.Is(err, asyncio.ErrQueueShutDown) {
						return
					}
					if err != nil {
						t.Errorf("goroutine Get: %v", err)
						return
					}
					goGot[c] = append(goGot[c], v)
				}
			}()
		}
		goConsumed := asyncio.NewFuture[struct{}](ctx)
		go func() { consWG.Wait(); goConsumed.SetResult(struct{}{}) }()
		var consTasks []*asyncio.Task[[]int]
		for range consumers {
			consTasks = append(consTasks, asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) {
				var got []int
				for v, err := range q.All(ctx) {
					if err != nil {
						return got, err
					}
					got = append(got, v)
				}
				return got, nil
			}))
		}

		for _, p := range prodTasks {
			if err := errOf(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		goProduced.Wait(ctx)
		q.Shutdown(false) // the consumers drain the rest, then stop
		goConsumed.Wait(ctx)
		all := slices.Concat(goGot...)
		for _, c := range consTasks {
			got, err := c.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, got...)
		}
		all = append(all, drain(q)...)
		slices.Sort(all)
		if len(all) != 2*producers*perProducer {
			t.Fatalf("%d items delivered, want %d", len(all), 2*producers*perProducer)
		}
		for i, v := range all {
			if v != i {
				t.Fatalf("item %d lost or duplicated (sorted position %d holds %d)", i, i, v)
			}
		}
		return nil
	}, realClock())
}

// A task waiting on Get is cancelled from another goroutine: it returns
// the cancellation and leaves no ghost getter to swallow the next item.
// When the item and the cancellation race, the item ends up exactly once:
// with the task or in the queue.
func TestQueueCancelGetterFromGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		q := asyncio.NewQueue[int](0)
		g := getTask(ctx, q)
		asyncio.Sleep(ctx, 0)
		go g.Cancel()
		if _, err := g.Wait(ctx); !isCancel(err) {
			t.Fatalf("Get cancelled from a goroutine: %v", err)
		}
		q.TryPut(1)
		if v, err := q.TryGet(); v != 1 || err != nil {
			t.Fatalf("TryGet = %d, %v: the cancelled getter swallowed the item", v, err)
		}

		for i := range 50 {
			g := getTask(ctx, q)
			asyncio.Sleep(ctx, 0)
			done := make(chan struct{})
			go func() {
				defer close(done)
				if i%2 == 0 {
					q.TryPut(i)
					g.Cancel()
				} else {
					g.Cancel()
					q.TryPut(i)
				}
			}()
			v, err := g.Wait(ctx)
			<-done // the loop is blocked a moment, which is fine in a test
			left := drain(q)
			switch {
			case err == nil && v == i && len(left) == 0:
			case isCancel(err) && slices.Equal(left, []int{i}):
			default:
				t.Fatalf("round %d: getter %d, %v; queue %v", i, v, err, left)
			}
		}
		return nil
	}, realClock())
}

// A goroutine blocked in Get or Put is woken by Shutdown.
func TestQueueShutdownWakesGoroutines(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		empty := asyncio.NewQueue[int](0)
		full := asyncio.NewQueue[int](1)
		full.TryPut(0)
		got := asyncio.NewFuture[error](ctx)
		put := asyncio.NewFuture[error](ctx)
		go func() { _, err := empty.Get(context.Background()); got.SetResult(err) }()
		go func() { put.SetResult(full.Put(context.Background(), 1)) }()
		empty.Shutdown(false)
		full.Shutdown(false)
		if err, _ := got.Wait(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("goroutine Get: %v", err)
		}
		if err, _ := put.Wait(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Fatalf("goroutine Put: %v", err)
		}
		if got := drain(full); !slices.Equal(got, []int{0}) {
			t.Fatalf("full queue holds %v", got)
		}
		return nil
	}, realClock())
}

// Several getters handed items and cancelled together give them all back,
// each in its place: the order is as if none had been taken.
func TestQueueGiveBackSeveralKeepsOrder(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		for _, c := range []struct {
			name string
			q    *asyncio.Queue[int]
			want []int
		}{
			{"fifo", asyncio.NewQueue[int](0), []int{1, 2, 3, 4, 5}},
			{"lifo", asyncio.NewLifoQueue[int](0), []int{5, 4, 3, 2, 1}},
			{"priority", asyncio.NewPriorityQueue(0, func(a, b int) bool { return a < b }), []int{1, 2, 3, 4, 5}},
		} {
			// Rounds start at different places of the fifo's ring buffer.
			for round := range 4 {
				for i := range 3 * round {
					c.q.TryPut(i)
				}
				drain(c.q)
				var getters []*asyncio.Task[int]
				for range 3 {
					getters = append(getters, getTask(ctx, c.q))
					asyncio.Sleep(ctx, 0)
				}
				for i := 1; i <= 3; i++ {
					c.q.TryPut(i) // to getter i-1
				}
				for _, g := range getters {
					g.Cancel()
				}
				c.q.TryPut(4)
				for _, g := range getters {
					if _, err := g.Wait(ctx); !isCancel(err) {
						t.Fatalf("%s: getter: %v", c.name, err)
					}
				}
				c.q.TryPut(5)
				if got := drain(c.q); !slices.Equal(got, c.want) {
					t.Errorf("%s round %d: order %v, want %v", c.name, round, got, c.want)
				}
			}
		}
		return nil
	})
}

// Unlike asyncio's, whose primitives bind to one loop, a queue may link
// tasks of two loops: a waiter is woken on its own loop.
func TestQueueSharedBetweenLoops(t *testing.T) {
	const n = 200
	q := asyncio.NewQueue[int](2)
	defer q.Shutdown(true) // if the consumer fails, the producers stop too
	produced := make(chan error, 1)
	go func() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			_, err := asyncio.Gather(ctx,
				func(ctx context.Context) (int, error) {
					for i := 0; i < n; i += 2 {
						if err := q.Put(ctx, i); err != nil {
							return 0, err
						}
					}
					return 0, nil
				},
				func(ctx context.Context) (int, error) {
					for i := 1; i < n; i += 2 {
						if err := q.Put(ctx, i); err != nil {
							return 0, err
						}
					}
					return 0, nil
				})
			return struct{}{}, err
		})
		produced <- err
	}()
	asynciotest.Run(t, func(ctx context.Context) error {
		seen := make([]bool, n)
		for range n {
			v, err := asyncio.WaitFor(ctx, 10*time.Second, q.Get)
			if err != nil {
				return err
			}
			if seen[v] {
				t.Fatalf("item %d twice", v)
			}
			seen[v] = true
		}
		return nil
	}, realClock())
	if err := <-produced; err != nil {
		t.Fatalf("producer loop: %v", err)
	}
	if q.Len() != 0 {
		t.Fatalf("Len() = %d", q.Len())
	}
}
