package asyncio_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

func TestRunReturnsMainResult(t *testing.T) {
	vc := asyncio.NewVirtualClock()
	v, err := asyncio.Run(func(ctx context.Context) (string, error) {
		if err := asyncio.Sleep(ctx, time.Minute); err != nil {
			return "", err
		}
		return "done", nil
	}, asyncio.WithClock(vc))
	if v != "done" || err != nil || vc.Now() != time.Minute {
		t.Fatalf("Run = %q, %v; clock %v", v, err, vc.Now())
	}
	boom := errors.New("boom")
	v, err = asyncio.Run(func(ctx context.Context) (string, error) { return "partial", boom })
	if v != "partial" || err != boom {
		t.Fatalf("Run = %q, %v", v, err)
	}
}

// On the way out Run cancels the tasks still pending and runs the loop
// until they have ended: their cleanup may still wait, and it all happens
// before Run returns. A task that never started never runs.
func TestRunShutdownCancelsAndAwaitsLeftovers(t *testing.T) {
	vc := asyncio.NewVirtualClock()
	var rep reports
	var log []string
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		for _, name := range []string{"a", "b"} {
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				err := asyncio.Sleep(ctx, time.Hour)
				log = append(log, name+" cancelled: "+errString(err))
				defer func() { log = append(log, name+" deferred cleanup") }()
				// Cleanup that waits: the loop still runs normally.
				if e := asyncio.Sleep(context.WithoutCancel(ctx), time.Second); e != nil {
					log = append(log, name+" cleanup wait failed: "+e.Error())
				}
				return 0, err
			})
		}
		asyncio.Sleep(ctx, time.Second)
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			log = append(log, "never started ran")
			return 0, nil
		})
		log = append(log, "main returns")
		return 0, nil
	}, asyncio.WithClock(vc), rep.option())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"main returns",
		"a cancelled: context canceled", "b cancelled: context canceled",
		"a deferred cleanup", "b deferred cleanup",
	}
	if !slices.Equal(log, want) {
		t.Errorf("log\n%q\nwant\n%q", log, want)
	}
	if vc.Now() != 2*time.Second {
		t.Errorf("clock %v: the cleanup's wait did not run on the loop", vc.Now())
	}
	if len(rep.got) != 0 {
		t.Errorf("reports %+v", rep.got)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// A leftover task that fails with something other than a cancellation
// during the shutdown is reported once.
func TestRunShutdownReportsLeftoverFailure(t *testing.T) {
	boom := errors.New("cleanup failed")
	var rep reports
	asyncio.Run(func(ctx context.Context) (int, error) {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			if err := asyncio.Sleep(ctx, time.Hour); err != nil {
				return 0, boom
			}
			return 0, nil
		}, asyncio.Name("stubborn"))
		asyncio.Spawn(ctx, sleepRet(time.Hour, 0), asyncio.Name("polite"))
		return 0, asyncio.Sleep(ctx, 0)
	}, asyncio.WithClock(asyncio.NewVirtualClock()), rep.option())
	if len(rep.got) != 1 || rep.got[0].Task != "stubborn" || !errors.Is(rep.got[0].Err, boom) {
		t.Fatalf("reports %+v", rep.got)
	}
	if !strings.Contains(rep.got[0].Message, "shutdown") {
		t.Errorf("message %q", rep.got[0].Message)
	}
}

// A leftover whose cleanup times out has failed, and is reported.
func TestRunShutdownReportsLeftoverTimeout(t *testing.T) {
	var rep reports
	asyncio.Run(func(ctx context.Context) (int, error) {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, time.Hour)
			return asyncio.WaitFor(context.WithoutCancel(ctx), time.Second, sleepRet(time.Hour, 1))
		}, asyncio.Name("slow cleanup"))
		return 0, asyncio.Sleep(ctx, 0)
	}, asyncio.WithClock(asyncio.NewVirtualClock()), rep.option())
	if len(rep.got) != 1 || !errors.Is(rep.got[0].Err, asyncio.ErrTimeout) {
		t.Fatalf("reports %+v", rep.got)
	}
}

// A task that timed out and whose error nobody retrieved is reported when
// the loop closes, like any other failure.
func TestUnretrievedTimeoutReported(t *testing.T) {
	var rep reports
	asyncio.Run(func(ctx context.Context) (int, error) {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.WaitFor(ctx, time.Second, sleepRet(time.Hour, 1))
		}, asyncio.Name("forgotten"))
		return 0, asyncio.Sleep(ctx, time.Minute)
	}, asyncio.WithClock(asyncio.NewVirtualClock()), rep.option())
	if len(rep.got) != 1 || rep.got[0].Task != "forgotten" {
		t.Fatalf("reports %+v", rep.got)
	}
}

// A panic in main comes out of Run, after the shutdown ran.
func TestRunPanicInMainAfterShutdown(t *testing.T) {
	cleaned := false
	r := mustPanic(t, func() {
		asyncio.Run(func(ctx context.Context) (int, error) {
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() { cleaned = true }()
				return 0, asyncio.Sleep(ctx, time.Hour)
			})
			asyncio.Sleep(ctx, time.Second)
			if cleaned {
				t.Error("cleaned up early")
			}
			panic("main broke")
		}, asyncio.WithClock(asyncio.NewVirtualClock()))
	})
	pe, ok := r.(*asyncio.PanicError)
	if !ok || pe.Value != "main broke" || pe.Task != "main" {
		t.Fatalf("recovered %v", r)
	}
	if !cleaned {
		t.Fatal("the panic came out before the shutdown cancelled the leftover task")
	}
}

// A Runner runs several mains on one loop: tasks and virtual time carry
// over from one to the next.
func TestRunnerRunsSeveralMains(t *testing.T) {
	r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewVirtualClock()))
	ticks := 0
	tickerStopped := false
	var first *asyncio.Loop
	err := r.Run(func(ctx context.Context) error {
		first = asyncio.RunningLoop(ctx)
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { tickerStopped = true }()
			for {
				if err := asyncio.Sleep(ctx, time.Second); err != nil {
					return 0, err
				}
				ticks++
			}
		})
		return asyncio.Sleep(ctx, 2500*time.Millisecond)
	})
	if err != nil || ticks != 2 {
		t.Fatalf("first run: %v, %d ticks", err, ticks)
	}
	v, err := asyncio.RunOn(r, func(ctx context.Context) (int, error) {
		if asyncio.RunningLoop(ctx) != first || first != r.Loop() {
			t.Error("the second main runs on another loop")
		}
		start := vnow(ctx)
		if err := asyncio.Sleep(ctx, 3*time.Second); err != nil {
			return 0, err
		}
		return int((start + vnow(ctx)) / time.Millisecond), nil
	})
	if err != nil || v != 2500+5500 {
		t.Fatalf("second run: %v, %v", v, err)
	}
	if ticks != 5 || tickerStopped {
		t.Fatalf("ticker: %d ticks, stopped %v", ticks, tickerStopped)
	}
	// A main may not run the runner again from inside.
	err = r.Run(func(ctx context.Context) error {
		if err := r.Run(func(context.Context) error { return nil }); !errors.Is(err, asyncio.ErrLoopRunning) {
			t.Errorf("nested Runner.Run = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !tickerStopped {
		t.Fatal("Close did not cancel the background task")
	}
	if !r.Loop().IsClosed() {
		t.Fatal("loop not closed")
	}
}

func TestRunnerClosed(t *testing.T) {
	r := asyncio.NewRunner()
	if err := r.Run(func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ran := false
	if err := r.Run(func(context.Context) error { ran = true; return nil }); !errors.Is(err, asyncio.ErrRunnerClosed) || ran {
		t.Fatalf("Run after Close: %v, ran %v", err, ran)
	}
	if _, err := asyncio.RunOn(r, func(context.Context) (int, error) { return 1, nil }); !errors.Is(err, asyncio.ErrRunnerClosed) {
		t.Fatalf("RunOn after Close: %v", err)
	}
	// A runner closed before any use has no loop to close.
	if err := asyncio.NewRunner().Close(); err != nil {
		t.Fatal(err)
	}
}

// A runner whose loop was closed directly reports an error rather than
// panicking.
func TestRunnerOnClosedLoop(t *testing.T) {
	r := asyncio.NewRunner()
	defer r.Close()
	r.Loop().Close()
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("Run panicked: %v", p)
			}
		}()
		err = r.Run(func(context.Context) error { return nil })
	}()
	if !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Errorf("Run on a closed loop: %v", err)
	}
}

// Run called from a task or a callback returns ErrNestedRun at once,
// without debug mode, and leaves the outer loop running; from another
// goroutine it runs.
func TestNestedRun(t *testing.T) {
	inner := func(ctx context.Context) (int, error) { return 1, nil }
	var fromCallback error
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if v, err := asyncio.Run(inner); !errors.Is(err, asyncio.ErrNestedRun) || v != 0 {
			t.Errorf("Run in a task: %v, %v", v, err)
		}
		r := asyncio.NewRunner()
		if err := r.Run(func(context.Context) error { return nil }); !errors.Is(err, asyncio.ErrNestedRun) {
			t.Errorf("Runner.Run in a task: %v", err)
		}
		r.Close()
		child := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return asyncio.Run(inner) })
		if _, err := child.Wait(ctx); !errors.Is(err, asyncio.ErrNestedRun) {
			t.Errorf("Run in a child task: %v", err)
		}
		asyncio.RunningLoop(ctx).CallSoon(func() { _, fromCallback = asyncio.Run(inner) })
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return struct{}{}, err
		}
		v, err := asyncio.ToThread(ctx, func() (int, error) { return asyncio.Run(inner) })
		if v != 1 || err != nil {
			t.Errorf("Run in another goroutine: %v, %v", v, err)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(fromCallback, asyncio.ErrNestedRun) {
		t.Errorf("Run in a callback: %v", fromCallback)
	}
}
