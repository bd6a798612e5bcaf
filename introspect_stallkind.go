package asyncio

import (
	"strings"
	"time"
)

// A StallKind says what held the loop up during a stall, as far as the
// watchdog can tell.
type StallKind string

const (
	// StallBusy is a step that ran on the CPU: it computes for too long
	// between two waits.
	StallBusy StallKind = "busy"
	// StallBlocked is a step that waited off the CPU, in a blocking call
	// (a system call, time.Sleep, a mutex, a channel): the step's fault
	// too, as the loop could run nothing else meanwhile.
	StallBlocked StallKind = "blocked"
	// StallDescheduled is a step that could have run but that the system
	// kept off the CPU for most of the stall: a loaded machine, not the
	// step's code.
	StallDescheduled StallKind = "descheduled"
)

// describe says what k means, for a log line.
func (k StallKind) describe(cpu, runQueue time.Duration) string {
	switch k {
	case StallBusy:
		return "busy on the CPU (" + cpu.Round(time.Millisecond).String() + " of CPU)"
	case StallBlocked:
		return "blocked in a call, off the CPU (" + cpu.Round(time.Millisecond).String() + " of CPU)"
	case StallDescheduled:
		return "descheduled: runnable but kept off the CPU for " + runQueue.Round(time.Millisecond).String() + " (a loaded machine rather than this code)"
	}
	return ""
}

// threadTime is what one thread has run on a CPU and waited, runnable,
// for one, since it started.
type threadTime struct{ run, wait time.Duration }

// sumThreadTimes sums what the threads of the process ran and waited
// between two readings; a thread started in between counts from its
// start, and one ended in between is missing.
func sumThreadTimes(before, after map[int]threadTime) (run, wait time.Duration) {
	for tid, a := range after {
		b := before[tid]
		run += a.run - b.run
		wait += a.wait - b.wait
	}
	return run, wait
}

// classifyStall tells what held the loop up during a window of a stall:
// the goroutine running the step was parked by the Go scheduler (waiting
// in a channel, a mutex, time.Sleep), or else whichever of running, being
// runnable and being off the CPU took most of the window. measured is
// false where the thread times are unknown.
func classifyStall(parked, measured bool, run, wait, window time.Duration) StallKind {
	if parked {
		return StallBlocked
	}
	if !measured {
		return ""
	}
	off := window - run - wait
	switch {
	case run >= wait && run >= off:
		return StallBusy
	case wait >= off:
		return StallDescheduled
	}
	return StallBlocked
}

// goParkedStack reports whether stack, as stackRecords prints it, is that of
// a goroutine the Go scheduler has parked: it waits for something, off the
// CPU.
func goParkedStack(stack string) bool {
	return strings.HasPrefix(stack, "runtime.gopark")
}
