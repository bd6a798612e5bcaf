package asyncio

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// The watchdog notices a step (a task's run from one wait to the next, or
// a callback) that keeps the loop busy past a threshold, and reports it
// while it still blocks, with the stack of the goroutine running it:
// asyncio's slow-callback warning, but always on, and early enough to show
// where the step is stuck rather than only that it was slow.
//
// Timing every step would cost a clock read or two per step, a large part
// of a task switch, and even counting steps costs an atomic add. So the
// loop only counts iterations, under the lock it takes once per iteration
// anyway, and a goroutine samples the count every eighth of the
// threshold. When one iteration outlasts a sample period, the watchdog
// turns the loop's probe on: from then on each step adds one to a step
// count, and a step whose count the watchdog sees unchanged for the
// threshold is a stall. The watchdog times it by its own clock, from the
// first sample that saw it, so a stall's start and length are known to
// within a sample period. The probe goes off again once the loop has been
// brisk for a while. While it is off, a step costs two loads of a flag.
//
// The watchdog's goroutine belongs to the call that runs the loop
// (RunForever, RunUntilDone): it starts there and ends before that call
// returns, so it never outlives the loop. While the loop sleeps with
// nothing to do, it parks, and the loop wakes it when it wakes itself.
type watchdog struct {
	l         *Loop
	threshold time.Duration
	period    time.Duration
	handler   func(Stall)

	stop   chan struct{} // closed to end the goroutine
	done   chan struct{} // closed by the goroutine as it ends
	wake   chan struct{} // the loop woke while the watchdog was parked; buffered
	parked bool          // under l.mu
	probed atomic.Bool   // the watchdog turned the probe on

	mu      sync.Mutex
	ongoing *Stall  // the stall being reported, while it lasts
	slowest []Stall // the slowest stalls seen, slowest first

	// What the goroutine knows of the threads' times, to tell a busy step
	// from a blocked or descheduled one. base is read once a step has
	// lasted half the threshold, so that a loop that keeps up pays
	// nothing for it, and a slow one a reading per long step (about 0.1
	// ms: BenchmarkThreadTimes); the kind then describes the stall from
	// there on.
	base    map[int]threadTime
	baseAt  time.Time
	goState goState // that of the ongoing stall's goroutine when reported
}

// maxStalls is how many of the slowest stalls a loop keeps.
const maxStalls = 10

// quietTicks is how many sample periods of a brisk loop turn the probe off.
const quietTicks = 8

// WithWatchdog turns the loop-lag watchdog on (the default) or off. The
// watchdog reports every step that keeps the loop busy for the slow
// duration (WithSlowDuration) or longer while the step still blocks, to
// the stall handler (WithStallHandler) or else as a warning to the
// loop's logger, with the stack of the goroutine running it.
// ASYNCIOWATCHDOG=0 in the environment turns it off by default.
func WithWatchdog(on bool) Option { return func(c *config) { c.noWatchdog = !on } }

// WithStallHandler makes the watchdog call h, from its own goroutine,
// rather than log a warning, for each step it finds blocking the loop. h
// is called twice per stall: once while the step still runs
// (Stall.Ongoing true, Duration so far), and once when it has ended
// (Ongoing false, Duration its total length, to within the watchdog's
// sample period of an eighth of the slow duration).
func WithStallHandler(h func(Stall)) Option { return func(c *config) { c.stallHandler = h } }

// startWatchdog starts the watchdog's goroutine for a run of the loop.
func (l *Loop) startWatchdog() {
	if l.dog == nil || l.dog.threshold <= 0 {
		return
	}
	w := l.dog
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	go w.run()
}

// stopWatchdog ends the goroutine and waits for it.
func (l *Loop) stopWatchdog() {
	if w := l.dog; w != nil && w.stop != nil {
		close(w.stop)
		<-w.done
		w.stop = nil
		w.setProbe(false)
	}
}

// wakeWatchdog wakes a parked watchdog; the loop calls it, holding mu, as
// it leaves a sleep.
func (l *Loop) wakeWatchdog() {
	if w := l.dog; w != nil && w.parked {
		w.parked = false
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func newWatchdog(l *Loop, cfg *config) *watchdog {
	if cfg.noWatchdog || cfg.slowDuration <= 0 {
		return nil
	}
	return &watchdog{
		l:         l,
		threshold: cfg.slowDuration,
		period:    max(cfg.slowDuration/8, time.Millisecond),
		handler:   cfg.stallHandler,
		wake:      make(chan struct{}, 1),
	}
}

// setProbe records whether the watchdog wants steps timed; a trace may
// want it too.
func (w *watchdog) setProbe(on bool) {
	w.probed.Store(on)
	w.l.updateProbe()
}

func (w *watchdog) run() {
	defer close(w.done)
	tick := time.NewTicker(w.period)
	defer tick.Stop()
	l := w.l
	var (
		lastIter uint64
		lastStep uint64
		seen     time.Time // when the watchdog first saw the current step (or iteration)
		quiet    int       // sample periods since the last long iteration
		reported bool      // the current step was reported
	)
	for {
		select {
		case <-w.stop:
			w.endStall(time.Now())
			return
		case <-tick.C:
		}
		now := time.Now()
		l.mu.Lock()
		it, sleeping := l.iter, l.sleeping
		w.parked = sleeping
		l.mu.Unlock()
		if l.vclock == nil {
			l.coarse.Store(int64(l.clock.Now()))
		}
		step := l.steps.Load()
		if sleeping || it != lastIter {
			w.endStall(now)
			reported = false
			lastIter, lastStep, seen = it, step, now
			if quiet++; quiet >= quietTicks && w.probed.Load() {
				w.setProbe(false)
			}
			w.base = nil
			if sleeping {
				select {
				case <-w.stop:
					return
				case <-w.wake:
				}
				tick.Reset(w.period)
				l.mu.Lock()
				lastIter, seen = l.iter, time.Now()
				l.mu.Unlock()
			}
			continue
		}
		// One iteration has run for a whole period.
		quiet = 0
		if !w.probed.Load() {
			w.setProbe(true) // count its steps from now on
			lastStep = l.steps.Load()
			continue
		}
		if step != lastStep {
			w.endStall(now)
			reported, lastStep, seen = false, step, now
			w.base = nil
			continue
		}
		d := now.Sub(seen)
		if d >= w.threshold/2 && w.base == nil && !reported {
			w.rebase(now)
		}
		if d >= w.threshold {
			if !reported {
				reported = true
				w.report(l.current.Load(), seen, d)
			} else {
				w.mu.Lock()
				if w.ongoing != nil {
					w.ongoing.Duration = d
				}
				w.mu.Unlock()
			}
		}
	}
}

// rebase reads the threads' times as a step becomes long.
func (w *watchdog) rebase(now time.Time) {
	if b, ok := threadTimes(); ok {
		w.base, w.baseAt = b, now
	}
}

// measure fills in what the threads did since base, and so the kind of
// the stall.
func (w *watchdog) measure(s *Stall, now time.Time) {
	var after map[int]threadTime
	measured := w.base != nil
	if measured {
		after, measured = threadTimes()
	}
	if measured {
		s.CPU, s.RunQueue = sumThreadTimes(w.base, after)
	}
	s.Kind = classifyStall(w.goState, measured, s.CPU, s.RunQueue, now.Sub(w.baseAt))
}

// report captures the stack of the step blocking the loop and hands the
// stall to the handler.
func (w *watchdog) report(t *taskCore, start time.Time, d time.Duration) {
	s := Stall{Started: start, Duration: d, Ongoing: true}
	var state goState
	if t != nil {
		s.Stack, state = w.l.runningStack(t)
	}
	if s.Stack != "" {
		s.TaskID, s.Task = t.id, t.Name()
	} else {
		// A callback, or the loop's own work (t is then only the task
		// whose step came last).
		s.Stack, s.Callback, state = w.l.loopStack()
	}
	w.goState = state
	w.measure(&s, start.Add(d))
	w.mu.Lock()
	w.ongoing = &s
	w.mu.Unlock()
	if w.handler != nil {
		w.handler(s)
		return
	}
	what := s.what()
	where := "its stack:\n" + s.Stack
	if s.Stack == "" {
		// Nothing of the loop was running when the stacks were taken: the
		// system kept the loop's thread off the CPU, or the step ended
		// just then.
		where = "no goroutine of the loop was running when its stacks were taken (a loaded machine, or a step that just ended)"
	}
	how := ""
	if s.Kind != "" {
		how = ", " + s.Kind.describe(s.CPU, s.RunQueue)
	}
	w.l.logger.Warn(fmt.Sprintf("asyncio: the loop is blocked: %s has run for %v without yielding%s; %s", what, d.Round(time.Millisecond), how, where))
}

// endStall ends the stall being reported, if any, keeps it among the
// slowest and reports its end.
func (w *watchdog) endStall(now time.Time) {
	w.mu.Lock()
	s := w.ongoing
	if s == nil {
		w.mu.Unlock()
		return
	}
	w.ongoing = nil
	s.Duration, s.Ongoing = now.Sub(s.Started), false
	w.measure(s, now)
	w.slowest = append(w.slowest, *s)
	sort.SliceStable(w.slowest, func(i, j int) bool { return w.slowest[i].Duration > w.slowest[j].Duration })
	if len(w.slowest) > maxStalls {
		w.slowest = w.slowest[:maxStalls]
	}
	w.mu.Unlock()
	if w.handler != nil {
		w.handler(*s)
		return
	}
	how := ""
	if s.Kind != "" {
		how = ", " + s.Kind.describe(s.CPU, s.RunQueue)
	}
	w.l.logger.Warn(fmt.Sprintf("asyncio: loop stall ended after %v: %s%s", s.Duration.Round(time.Millisecond), s.what(), how))
}

// what names what stalled the loop, for a log line.
func (s *Stall) what() string {
	switch {
	case s.Task != "":
		return fmt.Sprintf("task %q", s.Task)
	case s.Callback != "":
		return "callback " + s.Callback
	}
	return "the loop's own work"
}

// stalls returns the stall going on, if any, and the slowest ones.
func (w *watchdog) stalls() (*Stall, []Stall) {
	if w == nil {
		return nil, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var on *Stall
	if w.ongoing != nil {
		c := *w.ongoing
		on = &c
	}
	return on, append([]Stall(nil), w.slowest...)
}

// Stalls returns the slowest steps the watchdog caught on the loop,
// slowest first, and the one blocking it now, if any. It is safe from any
// goroutine.
func (l *Loop) Stalls() (blocking *Stall, slowest []Stall) { return l.dog.stalls() }

// stepBegan and stepEnded bracket each step while the probe is on.
func (l *Loop) stepBegan(t *taskCore) {
	l.steps.Add(1)
	if tr := l.tracer.Load(); tr != nil {
		tr.stepBegan(t, time.Now())
	}
}

func (l *Loop) stepEnded(t *taskCore, fn func()) {
	if tr := l.tracer.Load(); tr != nil {
		tr.stepEnded(t, fn, time.Now())
	}
}

// updateProbe turns the probe on while the watchdog or a trace wants it.
func (l *Loop) updateProbe() {
	l.probeMu.Lock()
	on := l.tracer.Load() != nil || (l.dog != nil && l.dog.probed.Load())
	l.probe.Store(on)
	l.probeMu.Unlock()
}
