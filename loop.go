package asyncio

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio/internal/poller"
)

// A Loop runs callbacks and task steps one at a time, like asyncio's event
// loop. It owns a FIFO ready queue, a timer heap and a clock.
//
// Each iteration of the loop runs what was ready when the iteration began
// (callbacks scheduled during it wait for the next one), after adding the
// timers that have come due: asyncio's _run_once. When nothing is ready the
// loop sleeps until its next timer or until another goroutine wakes it.
//
// Unlike asyncio, an iteration on a real clock that has run longer than a
// couple of milliseconds while a timer is due or a descriptor is ready ends
// early: the next one runs those I/O callbacks and timers first, then the
// items left over, in their order, then what was scheduled meanwhile. FIFO
// order among callbacks, and among task wakes, is kept; only timers and I/O
// move ahead of work that has waited that long, so that a batch of
// thousands of task steps does not hold a timer back for its whole length.
// A loop on a VirtualClock never ends an iteration early.
//
// A Loop is usually made and driven by Run or a Runner; NewLoop, RunForever,
// RunUntilDone, Stop and Close drive one by hand.
type Loop struct {
	clock   Clock
	vclock  *VirtualClock // the clock, if it is virtual
	debug   bool
	slow    time.Duration
	handler func(ExceptionContext)
	logger  *slog.Logger

	// The ready queue. Any goroutine may append to it; the loop takes the
	// whole of it at the start of an iteration.
	mu       sync.Mutex
	ready    []readyItem
	sleeping bool // the loop is waiting in sleep; an append must wake it
	wakeCh   chan struct{}
	tasks    taskList // tasks not yet done, in spawn order
	closed   bool
	// closedFlag mirrors closed for readers that take no lock.
	closedFlag atomic.Bool

	// batch is the iteration's snapshot of the ready queue, then its I/O
	// callbacks and due timers from dueFrom on. After an iteration cut
	// short (see loop_slice.go), batch[carryFrom:] are the items it left,
	// which the next iteration runs after the I/O callbacks and timers it
	// gathers in due. Loop only.
	batch           []readyItem
	carryFrom       int
	dueFrom         int
	due             []readyItem
	timers          timerHeap
	timerSeq        uint32
	cancelledTimers atomic.Int64
	handles         handleSlab
	waitTimer       *time.Timer

	current  atomic.Pointer[taskCore] // the task whose step is running
	running  atomic.Bool
	stopping atomic.Bool
	loopGoid uint64 // debug mode: the goroutine running the loop

	// external counts work out on other goroutines that will come back to
	// the loop (executor calls, for instance); a virtual clock does not jump
	// while it is non-zero.
	external atomic.Int64

	execMu   sync.Mutex
	executor Executor // made on first use unless WithExecutor gave one

	signals signals

	// I/O: the OS poller, made when the first descriptor is watched.
	poll    atomic.Pointer[poller.Poller]
	fds     []fdWatch // by descriptor; loop only
	watched int       // descriptors with a reader or a writer
	events  []poller.Event
	ioReady []*Handle // callbacks of the descriptors found ready
	readBuf []byte    // shared by the loop's transports; see fdTransport.readReady

	// open holds the servers and transports that Close must close if
	// their owners did not; loop only.
	open map[loopResource]struct{}
	// ioGoroutines counts the goroutines of the portable backend (readers,
	// writers, acceptors, dialers), which end once their socket is closed,
	// and those that start child processes (subprocess_spawn.go), which end
	// once the child has started. Close closes the sockets, then waits for
	// them.
	ioGoroutines sync.WaitGroup

	interrupt bool      // Run and Runner handle SIGINT
	backend   IOBackend // see WithIOBackend

	coros   []*coroutine // idle coroutines, for the next tasks; under mu
	closing bool         // Close is unwinding tasks: no more pooling; under mu

	rand       *rand.Rand // WithScheduleSeed: permutes the tasks of a batch
	shufflePos []int

	id      uint64        // see ID
	iter    uint64        // iterations begun; under mu, read by the watchdog
	probe   atomic.Bool   // count (and, tracing, time) each step: the watchdog or a trace wants it
	steps   atomic.Uint64 // steps begun while the probe is on
	coarse  atomic.Int64  // the loop's time, refreshed when read anyway (see waitSince)
	dog     *watchdog
	lag     lagRecorder
	labels  bool // give task goroutines pprof labels
	tracer  atomic.Pointer[tracer]
	probeMu sync.Mutex // serializes the updates of probe
	// lastSnapshot is the loop's last answer to Snapshot, for when it
	// cannot answer.
	lastSnapshot atomic.Pointer[Snapshot]
	// notes holds what Annotate says the tasks are doing, by task id. A
	// map under a lock of its own rather than a sync.Map: Annotate runs
	// around every database query and every job, and a sync.Map costs an
	// allocation or two per store where a map costs none; Snapshot reads
	// it from whatever goroutine asks.
	notesMu sync.Mutex
	notes   map[uint64]note

	nextTaskID  uint64
	unretrieved map[uint64]*failureNote // under mu: failed tasks nobody asked about yet, by id
}

// readyItem is an entry of the ready queue: a callback with its Handle, an
// internal callback that needs none, or a wake of a task.
type readyItem struct {
	h  *Handle
	fn func()
	w  wake
}

// NewLoop returns a loop configured by opts. It runs nothing until
// RunForever or RunUntilDone is called.
func NewLoop(opts ...Option) *Loop {
	cfg := newConfig(opts)
	l := &Loop{
		clock:       cfg.clock,
		debug:       cfg.debug,
		slow:        cfg.slowDuration,
		handler:     cfg.handler,
		logger:      cfg.logger,
		wakeCh:      make(chan struct{}, 1),
		events:      make([]poller.Event, 128),
		unretrieved: make(map[uint64]*failureNote),
		executor:    cfg.executor,
		interrupt:   !cfg.noInterrupt,
		backend:     cfg.backend,
	}
	l.register()
	l.dog = newWatchdog(l, &cfg)
	l.labels = cfg.labels || cfg.debug
	if cfg.shuffle {
		l.rand = newScheduleRand(cfg.scheduleSeed)
	}
	if vc, ok := cfg.clock.(*VirtualClock); ok {
		l.vclock = vc
		vc.attach(l.wakeup)
	}
	return l
}

// RunningLoop returns the loop that runs the task ctx belongs to, or nil if
// ctx belongs to no task.
func RunningLoop(ctx context.Context) *Loop {
	if s := scopeOf(ctx); s != nil {
		return s.loop
	}
	return nil
}

// Time returns the loop's current time on its clock. It is safe from any
// goroutine.
func (l *Loop) Time() time.Duration { return l.clock.Now() }

// Clock returns the loop's clock.
func (l *Loop) Clock() Clock { return l.clock }

// Debug reports whether the loop is in debug mode.
func (l *Loop) Debug() bool { return l.debug }

// SetDebug turns debug mode on or off. Call it from code running on the
// loop or before the loop runs.
func (l *Loop) SetDebug(on bool) {
	l.debug = on
	if on {
		l.labels = true // tasks that start from now on (see WithTaskLabels)
	}
	if on && l.running.Load() && l.loopGoid == 0 {
		l.loopGoid = goid()
	}
}

// CallSoon schedules fn to run in a later iteration of the loop, after the
// callbacks already scheduled (FIFO). It must be called from code running on
// the loop; other goroutines use CallSoonThreadsafe. A panic in fn is
// reported to the exception handler. On a closed loop CallSoon panics with
// ErrLoopClosed: no code runs on a closed loop, so the caller is misusing a
// loop it kept.
func (l *Loop) CallSoon(fn func()) *Handle {
	l.checkOnLoop("CallSoon")
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		panic(ErrLoopClosed)
	}
	h := l.handles.get()
	l.ready = append(l.ready, readyItem{h: h, fn: fn})
	l.mu.Unlock()
	return h
}

// CallSoonThreadsafe is CallSoon for any goroutine: it schedules fn and
// wakes the loop if it is waiting. On a closed loop it schedules nothing and
// returns a handle that reports Cancelled.
func (l *Loop) CallSoonThreadsafe(fn func()) *Handle {
	h := new(Handle)
	if !l.push(readyItem{h: h, fn: fn}) {
		h.Cancel()
	}
	return h
}

// CallLater schedules fn to run once d has passed on the loop's clock.
// Callbacks due at the same time run in the order they were scheduled. It
// must be called from code running on the loop.
func (l *Loop) CallLater(d time.Duration, fn func()) *TimerHandle {
	return l.CallAt(l.clock.Now()+d, fn)
}

// CallAt schedules fn to run when the loop's clock reaches when. It must be
// called from code running on the loop; on a closed loop it panics with
// ErrLoopClosed, as CallSoon does.
func (l *Loop) CallAt(when time.Duration, fn func()) *TimerHandle {
	l.checkOnLoop("CallAt")
	if l.isClosed() {
		panic(ErrLoopClosed)
	}
	t := &TimerHandle{Handle: Handle{fn: fn}}
	l.addTimer(t, when)
	return t
}

func (l *Loop) addTimer(t *TimerHandle, when time.Duration) {
	t.when = when
	t.loop = l
	l.timerSeq++
	t.seq = l.timerSeq
	l.timers.push(t)
}

// push appends it to the ready queue from any goroutine and wakes the loop
// if it sleeps. It reports false if the loop is closed.
func (l *Loop) push(it readyItem) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.ready = append(l.ready, it)
	wake := l.sleeping
	l.sleeping = false
	l.mu.Unlock()
	if wake {
		l.signal()
	}
	return true
}

// endExternal ends a piece of work out on another goroutine (see
// external). The work's result reached the loop first, so the loop may
// have gone to sleep with the count still up, not jumping its virtual
// clock: wake it to look again.
func (l *Loop) endExternal() {
	if l.external.Add(-1) == 0 && l.vclock != nil {
		l.wakeup()
	}
}

// wakeup interrupts the loop's sleep, if it is sleeping.
func (l *Loop) wakeup() {
	l.mu.Lock()
	wake := l.sleeping
	l.sleeping = false
	l.mu.Unlock()
	if wake {
		l.signal()
	}
}

func (l *Loop) signal() {
	if p := l.poll.Load(); p != nil {
		p.Wake()
		return
	}
	select {
	case l.wakeCh <- struct{}{}:
	default:
	}
}

// Stop ends the loop at the end of the current iteration: RunForever
// returns nil, and RunUntilDone, Run and Runner.Run return ErrLoopStopped
// if what they run is not done. It is safe from any goroutine.
func (l *Loop) Stop() {
	l.stopping.Store(true)
	l.wakeup()
}

// IsRunning reports whether the loop is running.
func (l *Loop) IsRunning() bool { return l.running.Load() }

// IsClosed reports whether the loop was closed.
func (l *Loop) IsClosed() bool { return l.isClosed() }

func (l *Loop) isClosed() bool { return l.closedFlag.Load() }

// RunForever runs the loop until Stop is called. If Stop was called before,
// it runs one iteration, as asyncio does.
func (l *Loop) RunForever() error {
	err := l.runWhile(func() bool { return true })
	if err == ErrLoopStopped {
		return nil
	}
	return err
}

// RunUntilDone runs the loop until a is done, then returns a's error
// without panicking on it (use the task's or future's Result for the value).
// If Stop is called first, it returns ErrLoopStopped and a runs on when the
// loop runs again.
func (l *Loop) RunUntilDone(a Awaitable) error {
	c := a.core()
	if c.loop != nil && c.loop != l {
		return fmt.Errorf("asyncio: RunUntilDone with a task of another loop")
	}
	if err := l.runWhile(func() bool { return !c.isDone() }); err != nil {
		return err
	}
	c.markRetrieved()
	return c.failure()
}

// runWhile runs iterations while more reports true, and returns
// ErrLoopStopped if Stop ends it first.
func (l *Loop) runWhile(more func() bool) error {
	if l.isClosed() {
		return ErrLoopClosed
	}
	if !l.running.CompareAndSwap(false, true) {
		return ErrLoopRunning
	}
	if l.debug {
		l.loopGoid = goid()
	}
	l.refreshCoarse(l.clock.Now())
	l.startWatchdog()
	defer func() {
		l.stopWatchdog()
		l.stopping.Store(false)
		l.loopGoid = 0
		l.running.Store(false)
	}()
	defer l.current.Store(nil)
	for {
		l.runOnce()
		if !more() {
			return nil
		}
		if l.stopping.Load() {
			return ErrLoopStopped
		}
	}
}

// runOnce is one iteration: wait for something to be ready, add the due
// timers, then run the snapshot of the ready queue. After an iteration cut
// short (see cutDue) it runs the I/O callbacks and due timers, then the
// items carried over, then the ready queue.
func (l *Loop) runOnce() {
	if l.cancelledTimers.Load() > 0 {
		l.purgeTimers()
	}
	// After an iteration cut short, the next resumes it (see
	// loop_slice.go).
	resume := len(l.batch) > l.carryFrom || len(l.due) > 0
	l.mu.Lock()
	if len(l.ready) == 0 && !resume && !l.stopping.Load() {
		l.mu.Unlock()
		l.idle()
		l.mu.Lock()
	}
	if !resume {
		l.batch, l.ready = l.ready, l.batch[:0]
	} // else appendReady takes the ready queue below
	l.iter++
	l.mu.Unlock()

	// The I/O callbacks and due timers go after the ready queue, as in
	// asyncio; when resuming, into due, after those the cut iteration had
	// not reached, to run before the items it carried over.
	due, poll := l.batch, len(l.batch) > 0
	if resume {
		// Descriptors whose callbacks wait in due are not polled again.
		due, poll = l.due, len(l.due) == 0
	}
	prior := len(due) // items before this iteration's I/O and timers
	// As in asyncio, descriptors are polled in every iteration, without
	// waiting when there is work; their callbacks go before the timers.
	if l.watched > 0 && len(l.ioReady) == 0 && poll {
		l.pollIO(0)
	}
	for _, h := range l.ioReady {
		due = append(due, readyItem{h: h})
	}
	clear(l.ioReady)
	l.ioReady = l.ioReady[:0]
	due = l.fireTimers(due)

	if !resume {
		l.batch, l.dueFrom = due, prior
		if l.rand != nil {
			l.shuffleTasks(due)
		}
		l.endBatch(0, l.runItems(due, prior, true))
		return
	}
	fresh := l.appendReady()
	l.dueFrom = len(l.batch)
	if l.rand != nil {
		// What the cut iteration left was shuffled in it.
		l.shuffleTasks(due[prior:])
		l.shuffleTasks(l.batch[fresh:])
	}
	l.runItems(due, len(due), false)
	clear(due)
	l.due = due[:0]
	from := l.carryFrom
	l.endBatch(from, l.runItems(l.batch[from:], len(l.batch)-from, true))
}

// runItems runs items in order and returns how many it ran: all of them,
// unless cut allows it to end the iteration early (see cutDue). The items
// from dueAt on are I/O callbacks and timers.
func (l *Loop) runItems(items []readyItem, dueAt int, cut bool) int {
	// Only a run longer than sliceCheckEvery can be cut: a shorter one
	// reads no clock.
	slicing := cut && l.vclock == nil && len(items) > sliceCheckEvery
	var start, ioAt time.Duration
	if slicing {
		start = l.clock.Now()
		ioAt = start + iterationSlice
	}
	for i := range items {
		if slicing && i%sliceCheckEvery == 0 && i > 0 && l.cutDue(start, &ioAt, i < dueAt && dueAt < len(items)) {
			return i
		}
		it := &items[i]
		switch {
		case it.w.t != nil:
			l.step(it.w)
		case it.h != nil && it.h.cancelled.Load():
		default:
			if l.current.Load() != nil {
				l.current.Store(nil)
			}
			// A callback scheduled once comes in the entry; a
			// descriptor's, which runs at every readiness, in its handle.
			fn := it.fn
			if fn == nil {
				fn = it.h.fn
			}
			// One load of the flag a step: a probe turned on during the
			// step counts from the next one.
			if !l.probe.Load() {
				l.call(fn)
			} else {
				l.stepBegan(nil)
				l.call(fn)
				l.stepEnded(nil, fn)
			}
		}
	}
	return len(items)
}

// idle waits until a timer is due or another goroutine wakes the loop. A
// virtual clock with nothing left to wait for jumps to the next timer
// instead.
func (l *Loop) idle() {
	for len(l.timers) > 0 && l.timers[0].t.cancelled.Load() {
		l.timers.pop().fn = nil
		l.cancelledTimers.Add(-1)
	}
	var wait time.Duration = -1 // forever
	stuck := false              // nothing but another goroutine can wake the loop
	if len(l.timers) > 0 {
		next := l.timers[0].when
		if l.vclock != nil {
			// Due already (Advance moved the clock), or due once the
			// clock jumps to it. Watched descriptors that are ready now
			// come first; a descriptor that is merely watched does not
			// hold the clock, as in trio's autojump.
			if next <= l.vclock.Now() {
				return
			}
			if l.external.Load() == 0 {
				if l.watched > 0 && l.pollIO(0) && len(l.ioReady) > 0 {
					return
				}
				if l.vclock.jumpTo(next) {
					return
				}
			}
		} else if wait = next - l.clock.Now(); wait <= 0 {
			return
		}
	} else if l.vclock != nil && l.external.Load() == 0 {
		if d := l.vclock.deadlockTimeout(); d > 0 {
			wait, stuck = d, true
		}
	}
	l.mu.Lock()
	if len(l.ready) > 0 || l.stopping.Load() {
		l.mu.Unlock()
		return
	}
	l.sleeping = true
	l.mu.Unlock()
	// An Advance or SetAutoJump between the checks above and here found
	// the loop awake, and so did not wake it: now that it is marked
	// asleep, a later one will, and this one is caught here.
	if l.vclock != nil && len(l.timers) > 0 && l.vclock.reached(l.timers[0].when, l.external.Load() == 0) {
		l.mu.Lock()
		l.sleeping = false
		l.mu.Unlock()
		return
	}
	if l.current.Load() != nil {
		l.current.Store(nil) // no task runs while the loop sleeps
	}
	woken := l.sleep(wait)
	l.mu.Lock()
	l.sleeping = false
	l.wakeWatchdog()
	l.mu.Unlock()
	l.refreshCoarse(l.clock.Now())
	if stuck && !woken {
		l.breakDeadlock()
	}
}

// sleep blocks until woken, until a watched descriptor is ready, or until
// d passes (d < 0: no limit), and reports whether it was woken. A loop that
// watches descriptors waits in its OS poller: one wait for I/O, timers and
// wake-ups.
func (l *Loop) sleep(d time.Duration) bool {
	if l.poll.Load() != nil {
		return l.pollIO(d)
	}
	if d < 0 {
		<-l.wakeCh
		return true
	}
	if l.waitTimer == nil {
		l.waitTimer = time.NewTimer(d)
	} else {
		l.waitTimer.Reset(d)
	}
	select {
	case <-l.wakeCh:
		l.waitTimer.Stop()
		return true
	case <-l.waitTimer.C:
		return false
	}
}

// fireTimers appends the timers that are due to batch.
func (l *Loop) fireTimers(batch []readyItem) []readyItem {
	if len(l.timers) == 0 {
		return batch
	}
	now := l.clock.Now()
	l.refreshCoarse(now)
	var fired int
	var worst time.Duration
	for len(l.timers) > 0 && l.timers[0].when <= now {
		t := l.timers.pop()
		if t.cancelled.Load() {
			t.fn = nil
			l.cancelledTimers.Add(-1)
			continue
		}
		late := now - t.when
		l.lag.add(late)
		fired++
		worst = max(worst, late)
		if t.task != nil {
			if w, ok := t.task.wakeShort(t.gen); ok { // else the wait it ends is over
				batch = append(batch, readyItem{w: w})
			}
		} else {
			// The entry carries fn from here: a timer the caller keeps
			// must not keep what its callback refers to.
			batch = append(batch, readyItem{h: &t.Handle, fn: t.fn})
			t.fn = nil
		}
	}
	if fired > 0 {
		l.lag.iteration(now, worst, fired)
	}
	return batch
}

// refreshCoarse records the loop's time for the starts of waits (see
// taskCore.waitSince). A store is a locked instruction on some machines,
// so it is skipped while the time has moved less than coarseStep.
func (l *Loop) refreshCoarse(now time.Duration) {
	if now-time.Duration(l.coarse.Load()) >= coarseStep {
		l.coarse.Store(int64(now))
	}
}

// coarseStep is how far the loop's time moves before refreshCoarse
// records it again.
const coarseStep = 100 * time.Microsecond

// purgeTimers drops cancelled timers in one sweep when they are more than
// half of a heap of over 100, as asyncio does.
func (l *Loop) purgeTimers() {
	n := l.cancelledTimers.Load()
	if len(l.timers) > 100 && n > int64(len(l.timers))/2 {
		l.timers.purge()
		l.cancelledTimers.Store(0)
	}
}

// call runs a callback, reporting its panic to the exception handler.
func (l *Loop) call(fn func()) {
	var start time.Time
	if l.debug {
		start = time.Now()
	}
	defer func() {
		if r := recover(); r != nil {
			st := stack()
			l.CallExceptionHandler(ExceptionContext{
				Message: "panic in callback",
				Err:     &PanicError{Value: r, Stack: st},
				Stack:   st,
			})
		}
		if l.debug {
			if d := time.Since(start); d >= l.slow {
				l.logger.Warn("asyncio: slow callback", "duration", d, "callback", funcName(fn))
			}
		}
	}()
	fn()
}

// Close closes the loop. Tasks still pending are cancelled and unwound
// (every wait in them returns at once), failures nobody retrieved are
// reported, and queued callbacks are dropped. Close of a running loop
// returns ErrLoopRunning; a second Close does nothing.
func (l *Loop) Close() error {
	if l.running.Load() {
		return ErrLoopRunning
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closing = true
	l.mu.Unlock()
	for {
		l.mu.Lock()
		t := l.tasks.front()
		if t == nil {
			l.closed = true
			l.closedFlag.Store(true)
			l.ready = nil
			l.batch, l.carryFrom, l.due = nil, 0, nil
			l.mu.Unlock()
			break
		}
		l.mu.Unlock()
		t.kill()
	}
	l.stopCoroutines()
	l.stopSignals()
	l.closeResources()
	l.ioGoroutines.Wait()
	if p := l.poll.Load(); p != nil {
		p.Close()
	}
	l.timers = nil
	l.reportUnretrieved()
	l.unregister()
	l.execMu.Lock()
	if e := l.executor; e != nil {
		// Like asyncio's close: stop accepting work, do not wait for it.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		e.Shutdown(ctx)
	}
	l.execMu.Unlock()
	if l.waitTimer != nil {
		l.waitTimer.Stop()
	}
	return nil
}

// checkOnLoop panics in debug mode if it is not called from the loop's
// goroutine or the running task's, like asyncio's debug-mode thread check.
func (l *Loop) checkOnLoop(what string) {
	if !l.debug || !l.running.Load() {
		return
	}
	g := goid()
	if g == l.loopGoid {
		return
	}
	if t := l.current.Load(); t != nil && t.debug != nil && t.debug.goid == g {
		return
	}
	panic(fmt.Sprintf("asyncio: %s called from a goroutine that is not running the loop; use CallSoonThreadsafe", what))
}
