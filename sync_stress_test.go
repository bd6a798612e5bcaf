package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// The primitives stress test runs many workers in virtual time, each doing
// a random sequence of Lock, Semaphore and Queue operations, most of them
// under a random timeout, while workers now and then cancel one another.
// Durations are whole ticks, so timeouts, releases, puts and cancellations
// often land in the same iteration of the loop: the grant-then-cancel
// races of the lost-wakeup bugs happen many times per run. It checks:
//
//   - at most one holder of the lock at any time;
//   - permits held plus permits free never exceed the semaphore's count,
//     and at the end all are back;
//   - every item whose Put succeeded is delivered exactly once (taken by a
//     Get, or left in the queue at the end), and no other item is;
//   - a wait that fails failed because of its own timeout, after exactly
//     that long, or because the worker was cancelled;
//   - nothing reaches the exception handler;
//   - the same seed gives the same trace.

const (
	pstressWorkers = 40
	pstressOps     = 60
	pstressPermits = 3
	pstressQueue   = 4
	pstressTick    = 100 * time.Millisecond
)

var pstressKinds = []string{
	"lock", "lock", "lock", "trylock",
	"sem", "sem", "sem", "trysem",
	"put", "put", "put", "tryput",
	"get", "get", "get", "tryget",
	"cancel",
}

type pstress struct {
	t     testing.TB
	rng   *rand.Rand
	trace []string

	lock *asyncio.Lock
	sem  *asyncio.Semaphore
	q    *asyncio.Queue[int]

	lockHolders int
	semHeld     int
	put         map[int]bool // items a Put or TryPut put in
	got         map[int]int  // times each item was taken
	workers     []*asyncio.Task[struct{}]
	cancelled   []bool
	counts      map[string]int // outcomes, to check the run exercised them
}

func (s *pstress) ev(ctx context.Context, format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf("%v ", vnow(ctx))+fmt.Sprintf(format, args...))
}

func (s *pstress) ticks(n int) time.Duration { return time.Duration(s.rng.IntN(n)) * pstressTick }

// timed runs op under a random timeout, or none if untimed is allowed, and
// checks how it failed. It reports whether op succeeded, and an error to
// stop the worker with. (A Get or Put with no timeout could wait forever
// once the other workers are done.)
func (s *pstress) timed(ctx context.Context, id int, what string, untimed bool, op func(ctx context.Context) error) (bool, error) {
	d := s.ticks(5) // 0: no timeout
	if !untimed {
		d = pstressTick + s.ticks(4)
	}
	start := vnow(ctx)
	var err error
	if d == 0 {
		err = op(ctx)
	} else {
		err = asyncio.Timeout(ctx, d, op)
	}
	switch {
	case err == nil:
		if d > 0 && vnow(ctx)-start > d {
			s.t.Errorf("w%d %s succeeded after %v, past its timeout of %v", id, what, vnow(ctx)-start, d)
		}
		return true, nil
	case d > 0 && isTimeout(err):
		if el := vnow(ctx) - start; el != d {
			s.t.Errorf("w%d %s timed out after %v, want %v", id, what, el, d)
		}
		s.ev(ctx, "w%d %s timeout", id, what)
		s.counts[what+" timeout"]++
		return false, nil
	case isCancel(err):
		if !s.cancelled[id] || ctx.Err() == nil {
			s.t.Errorf("w%d %s: %v, but the worker was not cancelled", id, what, err)
		}
		s.ev(ctx, "w%d %s cancelled", id, what)
		s.counts[what+" cancelled"]++
		return false, err
	default:
		s.t.Errorf("w%d %s: unexpected %v", id, what, err)
		return false, err
	}
}

// hold keeps a resource for a random while; it returns the error of the
// sleep, which is a cancellation of the worker.
func (s *pstress) hold(ctx context.Context) error {
	return asyncio.Sleep(ctx, s.ticks(3))
}

func (s *pstress) useLock(ctx context.Context, id int) {
	s.lockHolders++
	if s.lockHolders != 1 {
		s.t.Errorf("w%d got the lock: %d holders", id, s.lockHolders)
	}
	if !s.lock.Locked() {
		s.t.Errorf("w%d holds the lock, but Locked() is false", id)
	}
	s.ev(ctx, "w%d lock", id)
}

func (s *pstress) useSem(ctx context.Context, id int) {
	s.semHeld++
	if s.semHeld > pstressPermits || s.semHeld+s.sem.Value() > pstressPermits {
		s.t.Errorf("w%d got a permit: %d held, %d free, of %d", id, s.semHeld, s.sem.Value(), pstressPermits)
	}
	s.ev(ctx, "w%d sem (%d held)", id, s.semHeld)
}

func (s *pstress) received(ctx context.Context, id, v int, how string) {
	if !s.put[v] {
		s.t.Errorf("w%d %s item %d, which no Put put in", id, how, v)
	}
	s.got[v]++
	if s.got[v] > 1 {
		s.t.Errorf("item %d delivered %d times", v, s.got[v])
	}
	s.q.TaskDone()
	s.ev(ctx, "w%d %s %d", id, how, v)
}

func (s *pstress) worker(ctx context.Context, id int) error {
	for op := range pstressOps {
		item := id*1000 + op
		switch kind := pstressKinds[s.rng.IntN(len(pstressKinds))]; kind {
		case "lock":
			ok, err := s.timed(ctx, id, "lock", true, s.lock.Acquire)
			if err != nil {
				return err
			}
			if ok {
				s.useLock(ctx, id)
				err := s.hold(ctx)
				s.lockHolders--
				s.lock.Release()
				if err != nil {
					return err
				}
			}
		case "trylock":
			if s.lock.TryAcquire() {
				s.useLock(ctx, id)
				s.lockHolders--
				s.lock.Release()
			}
		case "sem":
			ok, err := s.timed(ctx, id, "sem", true, s.sem.Acquire)
			if err != nil {
				return err
			}
			if ok {
				s.useSem(ctx, id)
				err := s.hold(ctx)
				s.semHeld--
				s.sem.Release()
				if err != nil {
					return err
				}
			}
		case "trysem":
			if s.sem.TryAcquire() {
				s.useSem(ctx, id)
				s.semHeld--
				s.sem.Release()
			}
		case "put":
			ok, err := s.timed(ctx, id, "put", false, func(ctx context.Context) error { return s.q.Put(ctx, item) })
			if ok {
				s.put[item] = true
				s.ev(ctx, "w%d put %d", id, item)
			}
			if err != nil {
				return err
			}
		case "tryput":
			switch err := s.q.TryPut(item); {
			case err == nil:
				s.put[item] = true
				s.ev(ctx, "w%d tryput %d", id, item)
			case errors.Is(err, asyncio.ErrQueueFull):
				if !s.q.Full() {
					s.t.Errorf("w%d TryPut: ErrQueueFull, but Full() is false", id)
				}
				s.counts["tryput full"]++
			default:
				s.t.Errorf("w%d TryPut: %v", id, err)
			}
		case "get":
			var v int
			ok, err := s.timed(ctx, id, "get", false, func(ctx context.Context) error {
				var err error
				v, err = s.q.Get(ctx)
				return err
			})
			if ok {
				s.received(ctx, id, v, "get")
			}
			if err != nil {
				return err
			}
		case "tryget":
			switch v, err := s.q.TryGet(); {
			case err == nil:
				s.received(ctx, id, v, "tryget")
			case errors.Is(err, asyncio.ErrQueueEmpty):
				s.counts["tryget empty"]++
			default:
				s.t.Errorf("w%d TryGet: %v", id, err)
			}
		case "cancel":
			victim := s.rng.IntN(3 * pstressWorkers) // most cancels miss: workers live long
			if victim < pstressWorkers && victim != id && !s.cancelled[victim] && s.workers[victim] != nil {
				s.cancelled[victim] = true
				s.workers[victim].Cancel()
				s.ev(ctx, "w%d cancels w%d", id, victim)
			}
		}
		if s.rng.IntN(4) == 0 {
			if err := asyncio.Sleep(ctx, s.ticks(2)); err != nil {
				s.ev(ctx, "w%d stopped in sleep", id)
				return err
			}
		}
	}
	s.ev(ctx, "w%d done", id)
	return nil
}

func runPrimitivesStress(t testing.TB, seed uint64) []string {
	var reps reports
	s := &pstress{
		t:         t,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		lock:      asyncio.NewLock(),
		sem:       asyncio.NewSemaphore(pstressPermits),
		q:         asyncio.NewQueue[int](pstressQueue),
		put:       map[int]bool{},
		got:       map[int]int{},
		workers:   make([]*asyncio.Task[struct{}], pstressWorkers),
		cancelled: make([]bool, pstressWorkers),
		counts:    map[string]int{},
	}
	asynciotest.Run(t, func(ctx context.Context) error {
		for id := range pstressWorkers {
			s.workers[id] = goTask(ctx, func(ctx context.Context) error { return s.worker(ctx, id) })
		}
		for id, w := range s.workers {
			err := errOf(ctx, w)
			switch {
			case err == nil:
			case isCancel(err) && s.cancelled[id]:
			default:
				t.Errorf("worker %d ended with %v (cancelled %v)", id, err, s.cancelled[id])
			}
		}
		s.ev(ctx, "end")

		if s.lock.Locked() || s.lockHolders != 0 {
			t.Errorf("at the end: lock locked %v, %d holders", s.lock.Locked(), s.lockHolders)
		}
		if s.sem.Value() != pstressPermits || s.semHeld != 0 || s.sem.Locked() {
			t.Errorf("at the end: %d permits free of %d, %d held", s.sem.Value(), pstressPermits, s.semHeld)
		}
		left := drain(s.q)
		for _, v := range left {
			s.received(ctx, -1, v, "left")
		}
		for v := range s.put {
			if s.got[v] != 1 {
				t.Errorf("item %d put, delivered %d times", v, s.got[v])
			}
		}
		if len(s.got) != len(s.put) {
			t.Errorf("%d items delivered, %d put", len(s.got), len(s.put))
		}
		if err := asyncio.Timeout(ctx, time.Second, s.q.Join); err != nil {
			t.Errorf("Join after every item was marked done: %v", err)
		}
		s.counts["items"] = len(s.put)
		return nil
	}, reps.option())
	for _, r := range reps.got {
		t.Errorf("exception handler: %s: %v", r.Message, r.Err)
	}
	// The run must have exercised the contended paths, or it proves little.
	for _, k := range []string{"lock timeout", "sem timeout", "put timeout", "get timeout", "tryput full", "tryget empty"} {
		if s.counts[k] == 0 {
			t.Errorf("seed %d: no %q in the run; retune the stress test", seed, k)
		}
	}
	if s.counts["items"] < 100 {
		t.Errorf("seed %d: only %d items went through the queue", seed, s.counts["items"])
	}
	if !slices.ContainsFunc(s.cancelled, func(b bool) bool { return b }) {
		t.Errorf("seed %d: nobody was cancelled", seed)
	}
	t.Logf("seed %d: %v, %d events", seed, s.counts, len(s.trace))
	return s.trace
}

func TestPrimitivesStress(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			a := runPrimitivesStress(t, seed)
			b := runPrimitivesStress(t, seed)
			if !slices.Equal(a, b) {
				for i := range max(len(a), len(b)) {
					if at(a, i) != at(b, i) {
						t.Fatalf("same seed, different traces at event %d of %d/%d:\n  %s\n  %s", i, len(a), len(b), at(a, i), at(b, i))
					}
				}
			}
		})
	}
}

// The trace records what happened, not just how many things: another seed
// gives another trace.
func TestPrimitivesStressTraceDependsOnSeed(t *testing.T) {
	if slices.Equal(runPrimitivesStress(t, 1), runPrimitivesStress(t, 4)) {
		t.Fatal("seeds 1 and 4 gave the same trace")
	}
}
