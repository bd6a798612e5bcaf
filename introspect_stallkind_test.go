//go:build linux

package asyncio_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// stallEnd runs body as a task's step that blocks the loop until release
// is closed, which happens when the watchdog reports the stall, and
// returns the report of the stall's end.
func stallEnd(t *testing.T, body func(release <-chan struct{}), onReport func()) asyncio.Stall {
	t.Helper()
	release := make(chan struct{})
	ends := make(chan asyncio.Stall, 4)
	reported := false
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return struct{}{}, err
		}
		b := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			body(release)
			return struct{}{}, nil
		}, asyncio.Name("staller"))
		_, err := b.Wait(ctx)
		return struct{}{}, err
	}, asyncio.WithSlowDuration(40*time.Millisecond), asyncio.WithStallHandler(func(s asyncio.Stall) {
		if s.Task != "staller" {
			return // a step slowed down by a loaded machine
		}
		if s.Ongoing && !reported {
			reported = true
			if onReport != nil {
				onReport()
			}
			close(release)
			return
		}
		ends <- s
	}))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-ends:
		t.Logf("%s stall of %v: %v of CPU, %v in the run queue", s.Kind, s.Duration, s.CPU, s.RunQueue)
		return s
	default:
		t.Fatal("the end of the stall was not reported")
	}
	return asyncio.Stall{}
}

// TestStallKindBusy: a step that computes is busy, with about as much CPU
// as the stall lasted; on a machine so loaded that the step was kept off
// the CPU for most of it, it is descheduled instead.
func TestStallKindBusy(t *testing.T) {
	s := stallEnd(t, func(release <-chan struct{}) {
		for {
			select {
			case <-release:
				return
			default:
			}
		}
	}, nil)
	switch s.Kind {
	case asyncio.StallBusy:
		// The figures cover the stall from half the threshold on.
		if s.CPU < s.RunQueue || s.CPU < (s.Duration-20*time.Millisecond)/3 {
			t.Errorf("busy stall of %v with %v of CPU and %v in the run queue", s.Duration, s.CPU, s.RunQueue)
		}
	case asyncio.StallDescheduled:
		if s.RunQueue < s.CPU {
			t.Errorf("descheduled stall of %v with %v of CPU and %v in the run queue", s.Duration, s.CPU, s.RunQueue)
		}
	default:
		t.Errorf("a computing step's stall is %q (%v of CPU, %v in the run queue over %v)", s.Kind, s.CPU, s.RunQueue, s.Duration)
	}
}

// TestStallKindBlockedInSyscall: a step blocked in a system call (a read
// of a pipe, in the kernel, not parked by Go) is blocked, with little CPU.
func TestStallKindBlockedInSyscall(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	s := stallEnd(t, func(<-chan struct{}) {
		var b [1]byte
		syscall.Read(p[0], b[:]) // blocks the thread until the report
	}, func() { syscall.Write(p[1], []byte{1}) })
	if s.Kind != asyncio.StallBlocked || s.CPU > s.Duration/2 {
		t.Errorf("a step blocked in a read: %q, %v of CPU over %v", s.Kind, s.CPU, s.Duration)
	}
}

// TestStallKindBlockedParked: a step waiting on a channel, which Go parks,
// is blocked.
func TestStallKindBlockedParked(t *testing.T) {
	s := stallEnd(t, func(release <-chan struct{}) { <-release }, nil)
	if s.Kind != asyncio.StallBlocked {
		t.Errorf("a step waiting on a channel: %q, %v of CPU over %v", s.Kind, s.CPU, s.Duration)
	}
}
