package asyncio

import "time"

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

// classifyStall tells what held the loop up during a window of a stall,
// from the state of the goroutine running the step when the stall was
// reported and, where measured, what the process's threads did in the
// window:
//   - a goroutine parked by the Go scheduler (a channel, a mutex,
//     time.Sleep) waits off the CPU: blocked;
//   - one in a system call is blocked too, unless the threads used the
//     CPU for half the window (a call that computes, a large copy): busy;
//   - one running Go code wants the CPU all along: busy if the threads
//     ran more than they waited for a CPU, descheduled otherwise.
//
// The threads' figures are the whole process's, as Go moves a goroutine
// between threads: a goroutine's state is what keeps other goroutines'
// CPU or waiting from deciding the kind where it is known.
func classifyStall(state goState, measured bool, run, wait, window time.Duration) StallKind {
	switch {
	case state == goParked:
		return StallBlocked
	case state == goSyscall:
		if measured && run >= window/2 {
			return StallBusy
		}
		return StallBlocked
	case measured && wait > run:
		return StallDescheduled
	}
	return StallBusy
}
