package asyncio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestSnapshotWaits(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		lock := asyncio.NewLock()
		q := asyncio.NewQueue[int](0)
		ev := asyncio.NewEvent()
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		sleeper := goTask(ctx, func(ctx context.Context) error { return asyncio.Sleep(ctx, time.Hour) }, asyncio.Name("sleeper"))
		locker := goTask(ctx, func(ctx context.Context) error {
			if err := lock.Acquire(ctx); err != nil {
				return err
			}
			lock.Release()
			return nil
		}, asyncio.Name("locker"))
		getter := goTask(ctx, func(ctx context.Context) error { _, err := q.Get(ctx); return err }, asyncio.Name("getter"))
		waiter := goTask(ctx, func(ctx context.Context) error { _, err := sleeper.Wait(ctx); return err }, asyncio.Name("waiter"))
		parent := goTask(ctx, func(ctx context.Context) error {
			return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) { return struct{}{}, ev.Wait(ctx) }, asyncio.Name("child"))
				return nil
			})
		}, asyncio.Name("parent"))

		if err := asyncio.Sleep(ctx, 3*time.Second); err != nil {
			return err
		}
		s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return err
		}
		if s.Stale {
			t.Errorf("snapshot from a task of the loop is stale")
		}
		main := taskByName(t, s, "main")
		if main.State != "running" {
			t.Errorf("main: state %q, want running", main.State)
		}
		want := map[string]struct {
			wait     string
			waitsFor []string
		}{
			"sleeper": {"Sleep", nil},
			"locker":  {"Lock.Acquire", []string{"main"}},
			"getter":  {"Queue.Get", nil},
			"waiter":  {"Task.Wait", []string{"sleeper"}},
			"parent":  {"children", []string{"child"}},
			"child":   {"Event.Wait", nil},
		}
		for name, w := range want {
			ti := taskByName(t, s, name)
			if ti.State != "waiting" || ti.Wait != w.wait {
				t.Errorf("%s: state %q wait %q, want waiting in %q", name, ti.State, ti.Wait, w.wait)
			}
			var got []string
			for _, id := range ti.WaitsFor {
				got = append(got, nameOf(s, id))
			}
			if !slices.Equal(got, w.waitsFor) {
				t.Errorf("%s waits for %v, want %v", name, got, w.waitsFor)
			}
			if age := s.Time - ti.Since; age != 3*time.Second {
				t.Errorf("%s has waited %v, want 3s", name, age)
			}
			wantParent := "main"
			if name == "child" {
				wantParent = "parent"
			}
			if p := nameOf(s, ti.Parent); p != wantParent {
				t.Errorf("%s: parent %q, want %q", name, p, wantParent)
			}
		}
		if len(s.Cycles) != 0 {
			t.Errorf("cycles %v in a snapshot without any", s.Cycles)
		}

		lock.Release()
		q.TryPut(1)
		ev.Set()
		sleeper.Cancel()
		for _, task := range []*asyncio.Task[struct{}]{locker, getter, parent} {
			if _, err := task.Wait(ctx); err != nil {
				return err
			}
		}
		waiter.Wait(ctx)
		sleeper.Wait(ctx)
		return nil
	})
}

func nameOf(s *asyncio.Snapshot, id uint64) string {
	for _, t := range s.Tasks {
		if t.ID == id {
			return t.Name
		}
	}
	return fmt.Sprintf("#%d", id)
}

// TestSnapshotDeadlockCycle: two tasks, each holding a lock and waiting
// for the other's, are reported as an await cycle.
func TestSnapshotDeadlockCycle(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ta, tb := spawnDeadlock(ctx)
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return err
		}
		alice, bob := taskByName(t, s, "alice"), taskByName(t, s, "bob")
		if want := [][]uint64{{alice.ID, bob.ID}}; !slices.EqualFunc(s.Cycles, want, slices.Equal) {
			t.Errorf("cycles %v, want %v", s.Cycles, want)
		}
		var tree bytes.Buffer
		s.WriteTree(&tree)
		wantLine := fmt.Sprintf("await cycle: alice (#%d) → bob (#%d) → alice (#%d)", alice.ID, bob.ID, alice.ID)
		if !strings.Contains(tree.String(), wantLine) {
			t.Errorf("tree does not report the cycle as %q:\n%s", wantLine, tree.String())
		}
		ta.Cancel()
		tb.Cancel()
		ta.Wait(ctx)
		tb.Wait(ctx)
		return nil
	})
}

// TestSnapshotGoroutineAnswer asks a running loop from a goroutine that
// is not a task.
func TestSnapshotGoroutineAnswer(t *testing.T) {
	var got *asyncio.Snapshot
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		done := asyncio.NewEvent()
		l := asyncio.RunningLoop(ctx)
		go func() {
			defer done.Set()
			got, _ = l.Snapshot(context.Background())
		}()
		return struct{}{}, done.Wait(ctx)
	}, asyncio.Debug(false))
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Stale || len(got.Tasks) != 1 || got.Tasks[0].Wait != "Event.Wait" {
		t.Fatalf("snapshot from a goroutine: %+v", got)
	}
}

func TestSnapshotJSON(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return err
		}
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		var back asyncio.Snapshot
		if err := json.Unmarshal(b, &back); err != nil {
			return err
		}
		if back.Loop != s.Loop || len(back.Tasks) != 1 || back.Tasks[0].Name != "main" {
			t.Errorf("JSON round trip: %s", b)
		}
		return nil
	})
}

func TestSnapshotWriteTableAndTree(t *testing.T) {
	s := &asyncio.Snapshot{
		Loop: 1,
		Time: 10 * time.Second,
		Tasks: []asyncio.TaskInfo{
			{ID: 1, Name: "main", State: "waiting", Wait: "children", WaitsFor: []uint64{2, 3}, Since: 8 * time.Second},
			{ID: 2, Name: "alice", Parent: 1, State: "waiting", Wait: "Lock.Acquire", WaitsFor: []uint64{3}, Since: 9 * time.Second},
			{ID: 3, Name: "bob", Parent: 1, State: "waiting", Wait: "Lock.Acquire", WaitsFor: []uint64{2}, Since: 9500 * time.Millisecond},
			{ID: 4, Name: "orphan", Parent: 9, State: "new"},
			{ID: 5, Name: "report", Parent: 1, State: "waiting", Wait: "executor", Since: 7 * time.Second, Doing: "db: SELECT count(*) FROM orders"},
		},
		Cycles: [][]uint64{{2, 3}},
	}
	var table, tree bytes.Buffer
	s.WriteTable(&table)
	s.WriteTree(&tree)
	wantTable := `loop 1: 5 tasks, loop time 10s
ID  NAME    STATE    WAIT          WAITS FOR   FOR    PARENT  DOING
1   main    waiting  children      alice, bob  2s     -       -
2   alice   waiting  Lock.Acquire  bob         1s     main    -
3   bob     waiting  Lock.Acquire  alice       500ms  main    -
4   orphan  new      -             -           -      #9      -
5   report  waiting  executor      -           3s     main    db: SELECT count(*) FROM orders
await cycle: alice (#2) → bob (#3) → alice (#2)
`
	if table.String() != wantTable {
		t.Errorf("table:\n%s\nwant:\n%s", table.String(), wantTable)
	}
	wantTree := `loop 1: 5 tasks, loop time 10s
├── main (#1) waiting in children for alice, bob, 2s
│   ├── alice (#2) waiting in Lock.Acquire for bob, 1s
│   ├── bob (#3) waiting in Lock.Acquire for alice, 500ms
│   └── report (#5) waiting in executor, 3s: db: SELECT count(*) FROM orders
└── orphan (#4) new
await cycle: alice (#2) → bob (#3) → alice (#2)
`
	if tree.String() != wantTree {
		t.Errorf("tree:\n%s\nwant:\n%s", tree.String(), wantTree)
	}
}

// TestDeadlockReportShowsCycle: the virtual clock's deadlock report shows
// the tasks as a tree and names the await cycle.
func TestDeadlockReportShowsCycle(t *testing.T) {
	clock := asyncio.NewVirtualClock()
	clock.SetDeadlockTimeout(10 * time.Millisecond)
	var report string
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		ta, tb := spawnDeadlock(ctx)
		_, errA := ta.Wait(ctx)
		_, errB := tb.Wait(ctx)
		if !errors.Is(errA, asyncio.ErrDeadlock) || !errors.Is(errB, asyncio.ErrDeadlock) {
			t.Errorf("alice %v, bob %v: want ErrDeadlock", errA, errB)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(clock), asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
		if errors.Is(c.Err, asyncio.ErrDeadlock) {
			report = c.Message
		}
	}))
	if err != nil && !errors.Is(err, asyncio.ErrDeadlock) {
		t.Fatal(err)
	}
	for _, want := range []string{"main (#", "waiting in Task.Wait for alice", "alice (#", "waiting in Lock.Acquire for bob", "await cycle: alice"} {
		if !strings.Contains(report, want) {
			t.Errorf("deadlock report lacks %q:\n%s", want, report)
		}
	}
}

// spawnDeadlock spawns alice and bob, who each take one of two locks, wait
// until both hold theirs, then wait for the other's: a deadlock.
func spawnDeadlock(ctx context.Context) (alice, bob *asyncio.Task[struct{}]) {
	a, b := asyncio.NewLock(), asyncio.NewLock()
	both := asyncio.NewBarrier(2)
	take := func(first, second *asyncio.Lock) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			if err := first.Acquire(ctx); err != nil {
				return err
			}
			defer first.Release()
			if _, err := both.Wait(ctx); err != nil {
				return err
			}
			if err := second.Acquire(ctx); err != nil {
				return err
			}
			second.Release()
			return nil
		}
	}
	return goTask(ctx, take(a, b), asyncio.Name("alice")), goTask(ctx, take(b, a), asyncio.Name("bob"))
}

func TestSnapshotOfClosedLoop(t *testing.T) {
	l := asyncio.NewLoop()
	l.Close()
	if s, err := l.Snapshot(context.Background()); s != nil || !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Errorf("Snapshot of a closed loop: %v, %v; want ErrLoopClosed", s, err)
	}
}

// TestSnapshotShowsAnnotations: what Annotate says shows in the snapshot
// while it holds, nested annotations restore the outer one, and a task
// that said nothing shows nothing.
func TestSnapshotShowsAnnotations(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ev := asyncio.NewEvent()
		inner := asyncio.NewEvent()
		outer := asyncio.NewEvent()
		query := goTask(ctx, func(ctx context.Context) error {
			done := asyncio.Annotate(ctx, "db: SELECT 1")
			defer done()
			if err := outer.Wait(ctx); err != nil {
				return err
			}
			innerDone := asyncio.Annotate(ctx, "db: waiting for a connection")
			err := inner.Wait(ctx)
			innerDone()
			if err != nil {
				return err
			}
			return ev.Wait(ctx)
		}, asyncio.Name("query"))
		doing := func() string {
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				t.Fatal(err)
			}
			s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := taskByName(t, s, "main").Doing; d != "" {
				t.Errorf("main: Doing %q, want none", d)
			}
			return taskByName(t, s, "query").Doing
		}
		if d := doing(); d != "db: SELECT 1" {
			t.Errorf("first: Doing %q, want the statement", d)
		}
		outer.Set()
		if d := doing(); d != "db: waiting for a connection" {
			t.Errorf("nested: Doing %q, want the inner annotation", d)
		}
		inner.Set()
		if d := doing(); d != "db: SELECT 1" {
			t.Errorf("after the nested one: Doing %q, want the outer annotation back", d)
		}
		ev.Set()
		_, err := query.Wait(ctx)
		return err
	})
}

// countingNote is a lazy annotation that counts the times it is read.
type countingNote struct{ reads atomic.Int32 }

func (n *countingNote) String() string {
	n.reads.Add(1)
	return "jobs: running resize (job 7)"
}

// TestSnapshotShowsLazyAnnotations: AnnotateWith's text is made only when
// a snapshot reads it, once per snapshot, and nests with Annotate.
func TestSnapshotShowsLazyAnnotations(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		lazy := &countingNote{}
		release, inner := asyncio.NewEvent(), asyncio.NewEvent()
		job := goTask(ctx, func(ctx context.Context) error {
			done := asyncio.AnnotateWith(ctx, lazy)
			defer done()
			if err := inner.Wait(ctx); err != nil {
				return err
			}
			innerDone := asyncio.Annotate(ctx, "db: SELECT 1")
			err := release.Wait(ctx)
			innerDone()
			return err
		}, asyncio.Name("job"))
		doing := func() string {
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				t.Fatal(err)
			}
			s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return taskByName(t, s, "job").Doing
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		if n := lazy.reads.Load(); n != 0 {
			t.Errorf("the lazy note was read %d times before any snapshot", n)
		}
		if d := doing(); d != "jobs: running resize (job 7)" {
			t.Errorf("Doing %q, want the lazy note's text", d)
		}
		if n := lazy.reads.Load(); n != 1 {
			t.Errorf("one snapshot read the lazy note %d times, want 1", n)
		}
		inner.Set()
		if d := doing(); d != "db: SELECT 1" {
			t.Errorf("nested: Doing %q, want the inner annotation", d)
		}
		if n := lazy.reads.Load(); n != 1 {
			t.Errorf("the lazy note was read while the inner one held: %d reads", n)
		}
		release.Set()
		_, err := job.Wait(ctx)
		return err
	})
}
