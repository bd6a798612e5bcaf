package asyncio

import "iter"

// A coroutine is a goroutine that runs task bodies, trading control with
// the loop through iter.Pull: the loop's next and the task's yield are the
// Go runtime's direct goroutine switch, so exactly one of the two runs at a
// time and no scheduler is involved.
//
// When a body returns, the coroutine parks in its loop's pool and runs the
// body of the next task spawned: a task that starts after another ended
// costs no goroutine of its own. Its owner is the loop; it ends when the
// loop closes (stop), or with the goroutine of a task that calls
// runtime.Goexit.
type coroutine struct {
	loop  *Loop
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
	body  runner // the task to run; nil while pooled
}

// A runner is what a coroutine runs: a *Task[T]. An interface rather than
// a method value, which would cost an allocation per task.
type runner interface{ main() }

// maxIdleCoroutines bounds the loop's pool. A pooled coroutine holds a
// parked goroutine and its stack (2 KiB and up).
const maxIdleCoroutines = 256

// coroutineFor returns a coroutine that will run body when first resumed:
// one from the pool, or a new one. It is safe from any goroutine (Submit).
func (l *Loop) coroutineFor(body runner) *coroutine {
	l.mu.Lock()
	if n := len(l.coros); n > 0 {
		co := l.coros[n-1]
		l.coros[n-1] = nil
		l.coros = l.coros[:n-1]
		l.mu.Unlock()
		co.body = body
		return co
	}
	l.mu.Unlock()
	return &coroutine{loop: l, body: body}
}

// resume runs the coroutine until its task waits or returns. A new
// coroutine's goroutine is made here, by the loop, and not by whoever
// spawned the task: the Go runtime requires a coroutine to be switched to
// from a goroutine with the thread lock of the one that made it, and a
// loop may run on a thread of its own (StartWorkers), which the
// coroutine then shares.
func (co *coroutine) resume() {
	if co.next == nil {
		co.start()
	}
	co.next()
}

// end ends the coroutine's goroutine, if it has one: a coroutine that was
// never resumed has none.
func (co *coroutine) end() {
	if co.stop != nil {
		co.stop()
	}
}

// start makes the coroutine's goroutine.
func (co *coroutine) start() {
	// What the goroutine runs: the bodies of tasks, one after the other.
	// A closure, not a method (whose value would add a wrapper's frame):
	// its frame is under every frame of every task it runs; see Task.main
	// for why that is kept small.
	co.next, co.stop = iter.Pull(func(yield func(struct{}) bool) {
		co.yield = yield
		for {
			co.body.main()
			co.body = nil
			// Join the pool before handing control back, or end here if
			// it is full: ending now costs no switch, stopping later two.
			if !co.loop.pool(co) || !yield(struct{}{}) {
				return
			}
		}
	})
}

// pool takes back the coroutine of a task whose body returned, and reports
// false if the pool is full or the loop closing: the coroutine then ends.
// The coroutine calls it on its way back to the loop; it may be handed out
// again (by Submit) before it has yielded, which is safe, as it runs its
// next body only once the loop resumes it.
func (l *Loop) pool(co *coroutine) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.coros) >= maxIdleCoroutines || l.closing {
		return false
	}
	l.coros = append(l.coros, co)
	return true
}

// stopCoroutines ends the goroutines of the pool.
func (l *Loop) stopCoroutines() {
	l.mu.Lock()
	coros := l.coros
	l.coros = nil
	l.mu.Unlock()
	for _, co := range coros {
		co.stop()
	}
}
