package asyncio_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestSpawnRunsLaterNotInline(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var got []string
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			got = append(got, "child")
			return 1, nil
		}, asyncio.Name("child"))
		got = append(got, "parent")
		if task.Name() != "child" {
			t.Errorf("Name() = %q", task.Name())
		}
		if v, err := task.Wait(ctx); v != 1 || err != nil {
			t.Errorf("Wait = %v, %v", v, err)
		}
		if !slices.Equal(got, []string{"parent", "child"}) {
			t.Errorf("order %v", got)
		}
		return nil
	})
}

func TestDefaultTaskNames(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		a := asyncio.Spawn(ctx, ret(1))
		if !strings.HasPrefix(a.Name(), "Task-") {
			t.Errorf("default name %q", a.Name())
		}
		a.Wait(ctx)
		return nil
	})
}

func TestTaskCancelledBeforeFirstStepNeverRuns(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ran := false
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { ran = true; return 0, nil })
		if !task.Cancel() {
			t.Fatal("Cancel of a pending task returned false")
		}
		_, err := task.Wait(ctx)
		if !errors.Is(err, context.Canceled) || ran || !task.Cancelled() {
			t.Fatalf("err %v, ran %v, cancelled %v", err, ran, task.Cancelled())
		}
		if task.Cancel() {
			t.Fatal("Cancel of a done task returned true")
		}
		return nil
	})
}

// Cancellation is level-triggered: every wait after the cancel fails, even
// if the task ignores the first error.
func TestCancellationIsLevelTriggered(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var errs []error
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			errs = append(errs, asyncio.Sleep(ctx, time.Hour))
			errs = append(errs, asyncio.Sleep(ctx, 0))
			errs = append(errs, asyncio.Sleep(ctx, time.Second))
			return 7, nil // it swallowed cancellation and returned a value
		})
		asyncio.Sleep(ctx, time.Second)
		task.Cancel()
		v, err := task.Wait(ctx)
		if v != 7 || err != nil || task.Cancelled() {
			t.Fatalf("Wait = %v, %v; cancelled %v", v, err, task.Cancelled())
		}
		for i, e := range errs {
			if !errors.Is(e, context.Canceled) {
				t.Errorf("wait %d after cancel returned %v", i, e)
			}
		}
		return nil
	})
}

func TestCancelCause(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		cause := errors.New("shutting down")
		var inner, viaCause error
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			inner = asyncio.Sleep(ctx, time.Hour)
			viaCause = asyncio.Cause(ctx)
			return 0, inner
		})
		asyncio.Sleep(ctx, 0)
		task.CancelCause(cause)
		_, err := task.Wait(ctx)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
			t.Fatalf("err %v should be a cancellation carrying the cause", err)
		}
		if viaCause != cause {
			t.Fatalf("Cause(ctx) = %v", viaCause)
		}
		return nil
	})
}

// Cancelling a task interrupts the wait it is in, whichever it is; the
// systematic test of every await point is in task_cancelpoints_test.go.
func TestCancelFromAnotherGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		started := asyncio.NewFuture[struct{}](ctx)
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			started.SetResult(struct{}{})
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		started.Wait(ctx)
		done := make(chan struct{})
		go func() { task.Cancel(); close(done) }()
		_, err := task.Wait(ctx)
		<-done
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

func TestOnDoneIsScheduledNotInline(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var got []string
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { got = append(got, "body returned") }()
			return 1, nil
		})
		task.OnDone(func() { got = append(got, "callback 1") })
		task.OnDone(func() { got = append(got, "callback 2") })
		task.Wait(ctx)
		got = append(got, "waiter resumed")
		asyncio.Sleep(ctx, 0)
		asyncio.Sleep(ctx, 0)
		// Added after done: scheduled at once, still not inline.
		task.OnDone(func() { got = append(got, "late callback") })
		got = append(got, "after OnDone")
		asyncio.Sleep(ctx, 0)
		want := []string{"body returned", "waiter resumed", "callback 1", "callback 2", "after OnDone", "late callback"}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
		return nil
	})
}

func TestPanicReRaisedInWaiter(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { panic("kaput") }, asyncio.Name("bad"))
		defer func() {
			r := recover()
			pe, ok := r.(*asyncio.PanicError)
			if !ok || pe.Value != "kaput" || pe.Task != "bad" || !strings.Contains(string(pe.Stack), "task_test.go") {
				t.Errorf("recovered %v", r)
			}
			if err := task.Err(); err != pe {
				t.Errorf("Err() = %v", err)
			}
		}()
		task.Wait(ctx)
		t.Error("Wait did not panic")
		return nil
	})
}

func TestPanicInMainComesOutOfRun(t *testing.T) {
	defer func() {
		pe, ok := recover().(*asyncio.PanicError)
		if !ok || pe.Value != "main broke" {
			t.Fatalf("recovered %v", pe)
		}
	}()
	asyncio.Run(func(ctx context.Context) (int, error) { panic("main broke") })
}

func TestResultBeforeDone(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		task := asyncio.Spawn(ctx, ret(1))
		if _, err := task.Result(); !errors.Is(err, asyncio.ErrNotDone) {
			t.Errorf("Result before done: %v", err)
		}
		if err := task.Err(); !errors.Is(err, asyncio.ErrNotDone) {
			t.Errorf("Err before done: %v", err)
		}
		if task.Done() {
			t.Error("done before running")
		}
		task.Wait(ctx)
		if v, err := task.Result(); v != 1 || err != nil || !task.Done() {
			t.Errorf("Result = %v, %v", v, err)
		}
		return nil
	})
}

func TestCurrentAndAllTasks(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		main := asyncio.CurrentTask(ctx)
		if main == nil || main.Name() != "main" {
			t.Fatalf("CurrentTask = %v", main)
		}
		var seen asyncio.AnyTask
		a := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			seen = asyncio.CurrentTask(ctx)
			return 0, asyncio.Sleep(ctx, time.Minute)
		}, asyncio.Name("a"))
		b := asyncio.Spawn(ctx, ret(0), asyncio.Name("b"))
		var names []string
		for _, x := range asyncio.AllTasks(ctx) {
			names = append(names, x.Name())
		}
		if !slices.Equal(names, []string{"main", "a", "b"}) {
			t.Errorf("AllTasks = %v", names)
		}
		b.Wait(ctx)
		asyncio.Sleep(ctx, 0)
		if seen != asyncio.AnyTask(a) {
			t.Errorf("CurrentTask in a = %v", seen)
		}
		names = names[:0]
		for _, x := range asyncio.AllTasks(ctx) {
			names = append(names, x.Name())
		}
		if !slices.Equal(names, []string{"main", "a"}) {
			t.Errorf("AllTasks after b ended = %v", names)
		}
		a.Cancel()
		a.Wait(ctx)
		if asyncio.CurrentTask(context.Background()) != nil {
			t.Error("CurrentTask of background ctx")
		}
		return nil
	})
}

func TestWaitFromForeignGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		errc := make(chan error, 1)
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			go func() { errc <- asyncio.Sleep(ctx, time.Second) }()
			return 0, nil
		})
		task.Wait(ctx)
		if err := <-errc; !errors.Is(err, asyncio.ErrWrongGoroutine) {
			t.Fatalf("wait with a task's ctx from a goroutine: %v", err)
		}
		return nil
	})
}

// A plain goroutine (a ctx of no task) waiting on a task blocks until done.
func TestPlainGoroutineWaitsForTask(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 5, asyncio.Sleep(ctx, time.Millisecond)
		})
		got := make(chan int, 1)
		go func() {
			v, _ := task.Wait(context.Background())
			got <- v
		}()
		task.Wait(ctx)
		if v := <-got; v != 5 {
			t.Fatalf("got %d", v)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

func TestTaskCannotWaitForItself(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var self *asyncio.Task[int]
		self = asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			_, err := self.Wait(ctx)
			return 0, err
		})
		asyncio.Sleep(ctx, 0)
		if _, err := self.Wait(ctx); err == nil || !strings.Contains(err.Error(), "itself") {
			t.Fatalf("self wait: %v", err)
		}
		return nil
	})
}

func TestUnretrievedFailureReportedAtClose(t *testing.T) {
	var reports []asyncio.ExceptionContext
	boom := errors.New("boom")
	asyncio.Run(func(ctx context.Context) (int, error) {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, boom }, asyncio.Name("forgotten"))
		retrieved := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, boom })
		asyncio.Sleep(ctx, 0)
		retrieved.Err()
		return 0, nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if len(reports) != 1 || reports[0].Task != "forgotten" || !errors.Is(reports[0].Err, boom) {
		t.Fatalf("reports = %+v", reports)
	}
}

// The runtime owns every task: one nobody references runs to completion.
func TestUnreferencedTaskRunsToCompletion(t *testing.T) {
	done := false
	asynciotest.Run(t, func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, time.Second)
			done = true
			return 0, nil
		})
		return asyncio.Sleep(ctx, 2*time.Second)
	})
	if !done {
		t.Fatal("unreferenced task did not finish")
	}
}

// A failed task nobody references is reported once it is collected, while
// the loop runs, and not again when the loop closes.
func TestUnretrievedFailureReportedWhenUnreachable(t *testing.T) {
	var reports []asyncio.ExceptionContext
	boom := errors.New("boom")
	var whileRunning int
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, boom }, asyncio.Name("dropped"))
		kept := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, boom }, asyncio.Name("kept"))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return 0, err
		}
		for i := 0; i < 20 && len(reports) == 0; i++ {
			if err := collect(ctx); err != nil {
				return 0, err
			}
		}
		whileRunning = len(reports)
		runtime.KeepAlive(kept)
		return 0, nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if err != nil {
		t.Fatal(err)
	}
	if whileRunning != 1 || reports[0].Task != "dropped" || !errors.Is(reports[0].Err, boom) {
		t.Fatalf("reported while the loop ran: %d of %+v, want the dropped task's failure", whileRunning, reports)
	}
	if len(reports) != 2 || reports[1].Task != "kept" {
		t.Fatalf("reports at close: %+v, want the kept task's failure once more", reports[1:])
	}
}

// collect runs a garbage collection and waits until the cleanups it
// queued have run, as far as the marker's cleanup shows, then lets the
// loop run what they scheduled.
func collect(ctx context.Context) error {
	ran := make(chan struct{})
	marker := &struct {
		p   *int
		pad [32]byte
	}{}
	runtime.AddCleanup(marker, func(ch chan struct{}) { close(ch) }, ran)
	runtime.GC()
	if _, _, err := asyncio.Recv(ctx, ran); err != nil {
		return err
	}
	return asyncio.Sleep(ctx, 0)
}
