package asyncio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestTrace(t *testing.T) {
	var out bytes.Buffer
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		if err := l.StartTrace(&out); err != nil {
			return err
		}
		if err := l.StartTrace(&out); !errors.Is(err, asyncio.ErrTracing) {
			t.Errorf("second StartTrace: %v, want ErrTracing", err)
		}
		w := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				return 0, err
			}
			return 1, nil
		}, asyncio.Name("worker"))
		l.CallSoon(func() {})
		if _, err := w.Wait(ctx); err != nil {
			return err
		}
		return l.StopTrace()
	})
	var trace struct {
		TraceEvents []struct {
			Name, Cat, Ph string
			Ts, Dur       float64
			Tid           uint64
			Args          map[string]string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &trace); err != nil {
		t.Fatalf("trace is not JSON: %v\n%s", err, out.String())
	}
	var workerTid uint64
	for _, e := range trace.TraceEvents {
		if e.Ph == "M" && e.Name == "thread_name" && strings.HasPrefix(e.Args["name"], "worker (#") {
			workerTid = e.Tid
		}
	}
	if workerTid == 0 {
		t.Fatalf("no track named after the worker:\n%s", out.String())
	}
	var steps, sleeps, callbacks int
	for _, e := range trace.TraceEvents {
		switch {
		case e.Ph == "X" && e.Tid == workerTid && e.Cat == "step":
			steps++
		case e.Ph == "X" && e.Tid == workerTid && e.Cat == "wait" && e.Name == "Sleep":
			sleeps++
		case e.Ph == "X" && e.Cat == "callback":
			callbacks++
		}
	}
	if steps != 2 || sleeps != 1 || callbacks == 0 {
		t.Errorf("worker: %d steps, %d sleeps, %d callbacks; want 2, 1, some\n%s", steps, sleeps, callbacks, out.String())
	}
}

// TestTaskLabelsStacks: with task labels, a snapshot shows each waiting
// task's stack.
func TestTaskLabelsStacks(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ev := asyncio.NewEvent()
		w := goTask(ctx, func(ctx context.Context) error { return waitForEvent(ctx, ev) }, asyncio.Name("waiter"))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		s, err := asyncio.RunningLoop(ctx).Snapshot(ctx, asyncio.WithStacks())
		if err != nil {
			return err
		}
		st := taskByName(t, s, "waiter").Stack
		if !strings.Contains(st, "asyncio_test.waitForEvent(") || !strings.Contains(st, "asyncio.(*Event).Wait(") {
			t.Errorf("waiter's stack:\n%s", st)
		}
		ev.Set()
		_, err = w.Wait(ctx)
		return err
	}, asyncio.WithTaskLabels(true))
}

func waitForEvent(ctx context.Context, ev *asyncio.Event) error { return ev.Wait(ctx) }

// TestTraceOfStuckTasks: tasks that wait during the whole trace still get
// their tracks, with the wait they are in.
func TestTraceOfStuckTasks(t *testing.T) {
	var out bytes.Buffer
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		ev := asyncio.NewEvent()
		stuck := goTask(ctx, ev.Wait, asyncio.Name("stuck"))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		if err := l.StartTrace(&out); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		if err := l.StopTrace(); err != nil {
			return err
		}
		ev.Set()
		_, err := stuck.Wait(ctx)
		return err
	})
	var trace struct {
		TraceEvents []struct {
			Name, Cat, Ph string
			Tid           uint64
			Args          map[string]string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &trace); err != nil {
		t.Fatal(err)
	}
	var tid uint64
	for _, e := range trace.TraceEvents {
		if e.Ph == "M" && strings.HasPrefix(e.Args["name"], "stuck (#") {
			tid = e.Tid
		}
		if e.Cat == "callback" {
			t.Errorf("the tracer's own callback is in the trace: %+v", e)
		}
	}
	waits := 0
	for _, e := range trace.TraceEvents {
		if e.Tid == tid && e.Cat == "wait" && e.Name == "Event.Wait" {
			waits++
		}
	}
	if tid == 0 || waits != 1 {
		t.Errorf("stuck task: track %d, %d Event.Wait waits; want a track with one\n%s", tid, waits, out.String())
	}
}
