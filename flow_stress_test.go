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

// The stress test runs many workers, each doing a random sequence of
// sleeps, waits on futures (resolved by timer callbacks, some shared by
// several waiters), timeouts, gathers, task groups, waits on other
// workers, and cancels of other workers, all in virtual time. Every
// operation checks its outcome and the virtual time it took against what
// the rules say; the run records a trace that must be the same for the
// same seed.

const (
	stressWorkers = 60
	stressTick    = 100 * time.Millisecond
)

// stressKinds weighs the operations: one cancel in 16.
var stressKinds = []string{
	"sleep", "sleep", "sleep", "future", "future", "future", "timeout", "timeout",
	"gather", "gather", "group", "group", "waitother", "waitother", "sleep", "cancel",
}

type stressRun struct {
	t           testing.TB
	rng         *rand.Rand
	trace       []string
	workers     []*asyncio.Task[int]
	cancelledAt []time.Duration // -1: not cancelled
	endedAt     []time.Duration
	futures     []*stressFuture
	// childEvents makes the children of gathers and groups write to the
	// trace as they end, so the trace depends on the order they run in.
	childEvents bool
	ops         map[string]int
}

type stressFuture struct {
	f         *asyncio.Future[int]
	id        int
	resolveAt time.Duration
	resolved  int // times the timer callback resolved it
	waits     int // waits begun
	returns   int // waits that returned, however
	observed  int // waits that returned its value
}

type stressError struct{ worker, op int }

func (e stressError) Error() string { return fmt.Sprintf("failure of w%d op%d", e.worker, e.op) }

func (s *stressRun) ev(ctx context.Context, format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf("%v ", vnow(ctx))+fmt.Sprintf(format, args...))
}

func (s *stressRun) dur(n int) time.Duration { return time.Duration(s.rng.IntN(n)) * stressTick }

// stopped checks an error that ended an operation early: the worker must
// have been cancelled. It returns the error that stops the worker.
func (s *stressRun) stopped(ctx context.Context, id int, what string, err error) error {
	if s.cancelledAt[id] < 0 {
		s.t.Errorf("w%d %s: %v, but nobody cancelled it", id, what, err)
	}
	if ctx.Err() == nil {
		s.t.Errorf("w%d %s: %v with a live ctx", id, what, err)
	}
	s.ev(ctx, "w%d %s stopped: %v", id, what, err)
	return context.Canceled
}

func (s *stressRun) worker(ctx context.Context, id int) (int, error) {
	n := 5 + s.rng.IntN(15)
	defer func() { s.endedAt[id] = vnow(ctx) }()
	for j := range n {
		if err := s.op(ctx, id, j); err != nil {
			return j, err
		}
	}
	s.ev(ctx, "w%d finished %d ops", id, n)
	return n, nil
}

func (s *stressRun) op(ctx context.Context, id, j int) error {
	start := vnow(ctx)
	elapsed := func() time.Duration { return vnow(ctx) - start }
	kind := stressKinds[s.rng.IntN(len(stressKinds))]
	s.ops[kind]++
	what := fmt.Sprintf("op%d %s", j, kind)
	switch kind {
	case "sleep":
		d := s.dur(5) - stressTick // -100ms .. 300ms: negative acts like 0
		if err := asyncio.Sleep(ctx, d); err != nil {
			return s.stopped(ctx, id, what, err)
		}
		if want := max(d, 0); elapsed() != want {
			s.t.Errorf("w%d %s(%v) took %v", id, what, d, elapsed())
		}
		s.ev(ctx, "w%d %s(%v) ok", id, what, d)

	case "future":
		var sf *stressFuture
		for _, c := range s.futures {
			if !c.f.Done() && s.rng.IntN(3) == 0 {
				sf = c // share a pending future with other waiters
				break
			}
		}
		if sf == nil {
			sf = &stressFuture{f: asyncio.NewFuture[int](ctx), id: len(s.futures)}
			sf.resolveAt = start + s.dur(8) + stressTick/2
			s.futures = append(s.futures, sf)
			asyncio.RunningLoop(ctx).CallAt(sf.resolveAt, func() {
				sf.resolved++
				sf.f.SetResult(sf.id)
			})
		}
		limit := time.Duration(-1)
		wctx := ctx
		var scope *asyncio.TimeoutScope
		if s.rng.IntN(2) == 0 {
			limit = s.dur(8) + stressTick/4 // never equal to a resolve time
			scope = asyncio.NewTimeout(ctx, limit)
			wctx = scope.Context()
		}
		sf.waits++
		v, err := sf.f.Wait(wctx)
		sf.returns++
		if scope != nil {
			err = scope.Close(err)
		}
		switch {
		case err == nil:
			sf.observed++
			if v != sf.id || vnow(ctx) != sf.resolveAt {
				s.t.Errorf("w%d %s: got %d at %v, want %d at %v", id, what, v, vnow(ctx), sf.id, sf.resolveAt)
			}
			if limit >= 0 && start+limit < sf.resolveAt {
				s.t.Errorf("w%d %s: resolved at %v after its timeout %v", id, what, sf.resolveAt, limit)
			}
			s.ev(ctx, "w%d %s f%d ok", id, what, sf.id)
		case errors.Is(err, asyncio.ErrTimeout):
			if limit < 0 || elapsed() != limit || sf.resolveAt < vnow(ctx) {
				s.t.Errorf("w%d %s: timed out after %v (limit %v, resolve at %v)", id, what, elapsed(), limit, sf.resolveAt)
			}
			s.ev(ctx, "w%d %s f%d timed out", id, what, sf.id)
		default:
			return s.stopped(ctx, id, what, err)
		}

	case "timeout":
		limit := s.dur(5) + stressTick + stressTick/2
		d := s.dur(8)
		err := asyncio.Timeout(ctx, limit, func(ctx context.Context) error { return asyncio.Sleep(ctx, d) })
		switch {
		case err == nil && d < limit && elapsed() == d:
			s.ev(ctx, "w%d %s(%v, %v) ok", id, what, limit, d)
		case errors.Is(err, asyncio.ErrTimeout) && d > limit && elapsed() == limit:
			s.ev(ctx, "w%d %s(%v, %v) timed out", id, what, limit, d)
		case err != nil && !errors.Is(err, asyncio.ErrTimeout):
			return s.stopped(ctx, id, what, err)
		default:
			s.t.Errorf("w%d %s(%v, sleep %v): %v after %v", id, what, limit, d, err, elapsed())
		}

	case "gather", "group":
		m := 1 + s.rng.IntN(4)
		ds := make([]time.Duration, m)
		for i := range ds {
			ds[i] = s.dur(5)
		}
		fail := -1
		if s.rng.IntN(3) == 0 {
			fail = s.rng.IntN(m)
		}
		failErr := stressError{id, j}
		outcome := make([]string, m)
		child := func(i int) func(context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				err := asyncio.Sleep(ctx, ds[i])
				switch {
				case err != nil:
					outcome[i] = "cancelled"
				case i == fail:
					outcome[i], err = "failed", failErr
				default:
					outcome[i] = "ok"
				}
				if s.childEvents {
					s.ev(ctx, "w%d %s child %d %s", id, what, i, outcome[i])
				}
				return i, err
			}
		}
		var err error
		var res []int
		if kind == "gather" {
			fns := make([]func(context.Context) (int, error), m)
			for i := range fns {
				fns[i] = child(i)
			}
			res, err = asyncio.Gather(ctx, fns...)
		} else {
			tasks := make([]*asyncio.Task[int], m)
			err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				for i := range tasks {
					tasks[i] = asyncio.SpawnIn(g, child(i))
				}
				return nil
			})
			for _, tk := range tasks {
				v, _ := tk.Result()
				res = append(res, v)
			}
		}
		if s.cancelledAt[id] >= 0 && ctx.Err() != nil && !(err == nil || errors.Is(err, failErr)) {
			return s.stopped(ctx, id, what, err)
		}
		// Expected outcome: without a failure every child succeeds and
		// it takes the longest sleep; with one, the children still
		// sleeping when it fails are cancelled then.
		end := slices.Max(ds)
		if fail >= 0 {
			end = ds[fail]
		}
		for i := range ds {
			want := "ok"
			if i == fail {
				want = "failed"
			} else if ds[i] > end || fail >= 0 && ds[i] == end && i > fail {
				// A child due at the same instant as the failure, but
				// after it in the iteration (timers due together fire in
				// the order they were set), is cancelled: a cancellation
				// that arrives before a woken task resumes wins.
				want = "cancelled"
			}
			if outcome[i] != want || (want == "ok" && res[i] != i) {
				s.t.Errorf("w%d %s child %d (sleeps %v, fail %d): %s, want %s; err %v after %v, cancelled at %v, start %v", id, what, i, ds, fail, outcome[i], want, err, elapsed(), s.cancelledAt[id], start)
			}
		}
		if fail >= 0 && !errors.Is(err, failErr) || fail < 0 && err != nil {
			s.t.Errorf("w%d %s: %v (fail %d)", id, what, err, fail)
		}
		if elapsed() != end {
			s.t.Errorf("w%d %s took %v, want %v", id, what, elapsed(), end)
		}
		s.ev(ctx, "w%d %s %v -> %v", id, what, outcome, err)

	case "cancel":
		other := s.rng.IntN(len(s.workers))
		if other != id && !s.workers[other].Done() {
			if !s.workers[other].Cancel() {
				s.t.Errorf("Cancel of a running worker returned false")
			}
			if s.cancelledAt[other] < 0 {
				s.cancelledAt[other] = vnow(ctx)
			}
			s.ev(ctx, "w%d %s w%d", id, what, other)
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return s.stopped(ctx, id, what, err)
		}

	case "waitother":
		other := s.rng.IntN(len(s.workers))
		if other == id {
			return nil
		}
		limit := s.dur(10) + stressTick + stressTick/3
		wasDone := s.workers[other].Done()
		v, err := asyncio.WaitFor(ctx, limit, s.workers[other].Wait)
		if wasDone && elapsed() != 0 {
			s.t.Errorf("w%d %s: waiting for w%d, done already, took %v", id, what, other, elapsed())
		}
		switch {
		case err == nil:
			if !s.workers[other].Done() || !wasDone && s.endedAt[other] != vnow(ctx) {
				s.t.Errorf("w%d %s: w%d returned %d, ended at %v, now %v", id, what, other, v, s.endedAt[other], vnow(ctx))
			}
			s.ev(ctx, "w%d %s w%d -> %d", id, what, other, v)
		case errors.Is(err, asyncio.ErrTimeout):
			if elapsed() != limit {
				s.t.Errorf("w%d %s: timed out after %v, limit %v", id, what, elapsed(), limit)
			}
			s.ev(ctx, "w%d %s w%d timed out", id, what, other)
		case ctx.Err() != nil:
			return s.stopped(ctx, id, what, err)
		case isCancel(err) && s.cancelledAt[other] >= 0 && s.workers[other].Cancelled():
			s.ev(ctx, "w%d %s w%d was cancelled", id, what, other) // the other's cancellation
		default:
			s.t.Errorf("w%d %s w%d: %v", id, what, other, err)
		}
	}
	return nil
}

// runStress runs one simulation and returns its trace.
func runStress(t *testing.T, seed uint64, childEvents bool) []string {
	s := &stressRun{
		t:           t,
		rng:         rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1)),
		cancelledAt: make([]time.Duration, stressWorkers),
		endedAt:     make([]time.Duration, stressWorkers),
		childEvents: childEvents,
		ops:         map[string]int{},
	}
	asynciotest.Run(t, func(ctx context.Context) error {
		for i := range stressWorkers {
			s.cancelledAt[i] = -1
			s.workers = append(s.workers, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				return s.worker(ctx, i)
			}, asyncio.Name(fmt.Sprintf("w%d", i))))
		}
		done, pending, err := asyncio.Wait(ctx, s.workers, asyncio.AllCompleted)
		if err != nil || len(done) != stressWorkers || len(pending) != 0 {
			t.Fatalf("Wait: %d done, %d pending, %v", len(done), len(pending), err)
		}
		var last time.Duration
		cancelled, observed, shared := 0, 0, 0
		for i, w := range s.workers {
			n, err := w.Result()
			switch {
			case err == nil:
			case isCancel(err) && s.cancelledAt[i] >= 0 && w.Cancelled():
				cancelled++
				if s.endedAt[i] < s.cancelledAt[i] {
					t.Errorf("w%d ended at %v, before it was cancelled at %v", i, s.endedAt[i], s.cancelledAt[i])
				}
			default:
				t.Errorf("w%d ended with %d, %v", i, n, err)
			}
			last = max(last, s.endedAt[i])
		}
		if vnow(ctx) != last {
			t.Errorf("the last worker ended at %v, main resumed at %v", last, vnow(ctx))
		}
		// The rest of the futures' timers fire; nothing else is left.
		asyncio.Sleep(ctx, time.Hour)
		if n := len(asyncio.AllTasks(ctx)); n != 1 {
			t.Errorf("%d tasks left", n)
		}
		for _, f := range s.futures {
			if f.resolved != 1 {
				t.Errorf("f%d resolved %d times", f.id, f.resolved)
			}
			if v, err := f.f.Result(); v != f.id || err != nil {
				t.Errorf("f%d holds %d, %v", f.id, v, err)
			}
			if f.waits == 0 || f.returns != f.waits || f.observed > f.waits {
				t.Errorf("f%d: %d waits, %d returned, %d observed it", f.id, f.waits, f.returns, f.observed)
			}
			observed += f.observed
			shared += min(f.waits-1, 1)
		}
		s.ev(ctx, "end: %d cancelled, %d futures, %d observations", cancelled, len(s.futures), observed)
		if cancelled == 0 || shared == 0 || observed == 0 {
			t.Errorf("a weak run: %d workers cancelled, %d futures shared, %d observed", cancelled, shared, observed)
		}
		return nil
	})
	// The run must have exercised every kind of operation, and cancels.
	for _, k := range []string{"sleep", "future", "timeout", "gather", "group", "cancel", "waitother"} {
		if s.ops[k] < 5 {
			t.Errorf("only %d %s operations", s.ops[k], k)
		}
	}
	return s.trace
}

func TestStressDeterministic(t *testing.T) {
	for _, seed := range []uint64{1, 2, 20260101} {
		a := runStress(t, seed, false)
		b := runStress(t, seed, false)
		if t.Failed() {
			t.Fatalf("seed %d: invariants broken", seed)
		}
		if !slices.Equal(a, b) {
			i := 0
			for i < min(len(a), len(b)) && a[i] == b[i] {
				i++
			}
			t.Fatalf("seed %d: two runs differ at event %d of %d/%d:\n%s\n%s", seed, i, len(a), len(b), at(a, i), at(b, i))
		}
		if len(a) < 200 {
			t.Errorf("seed %d: only %d events", seed, len(a))
		}
	}
	if slices.Equal(runStress(t, 1, false), runStress(t, 2, false)) {
		t.Error("different seeds gave the same trace")
	}
}

// With the children of gathers and groups writing to the trace as they
// run, the order in which a cancellation wakes them shows.
func TestStressDeterministicChildOrder(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		a := runStress(t, seed, true)
		for range 3 {
			if b := runStress(t, seed, true); !slices.Equal(a, b) {
				i := 0
				for i < min(len(a), len(b)) && a[i] == b[i] {
					i++
				}
				t.Fatalf("seed %d: two runs differ at event %d:\n%s\n%s", seed, i, at(a, i), at(b, i))
			}
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<end>"
}
