package asyncio

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"
)

// An Executor runs blocking functions on goroutines of its own, off the
// loop (asyncio's concurrent.futures executors). ThreadPool is the one the
// loop makes by default; WithExecutor sets another.
type Executor interface {
	// Submit arranges for fn to run on some goroutine. It returns
	// ErrExecutorShutDown once Shutdown has been called.
	Submit(fn func()) error
	// Shutdown stops accepting work and waits for the work submitted to
	// finish, or for ctx to end. It may be called more than once: Run
	// shuts the default executor down with a timeout, then Loop.Close
	// once more without waiting.
	Shutdown(ctx context.Context) error
}

// ErrExecutorShutDown is returned by Submit after Shutdown.
var ErrExecutorShutDown = errors.New("asyncio: executor is shut down")

// ExecutorShutdownTimeout is how long Run and Runner.Close wait for the
// default executor's work to finish (asyncio's THREAD_JOIN_TIMEOUT).
const ExecutorShutdownTimeout = 300 * time.Second

// A ThreadPool runs functions on at most a fixed number of goroutines at a
// time, queueing the rest in FIFO order. Its goroutines start on demand and
// end when the queue is empty, so an idle pool holds none; or, after
// SetIdleTimeout, they wait that long for more work first.
type ThreadPool struct {
	max int

	mu          sync.Mutex
	queue       []func()
	workers     int
	waiting     int           // workers waiting for work (SetIdleTimeout)
	wake        chan struct{} // a token per function queued for a waiting worker; closed by Shutdown
	idleTimeout time.Duration
	closed      bool
	idle        chan struct{} // closed when the pool is closed and has no workers
}

// DefaultPoolSize returns asyncio's default executor size:
// min(32, GOMAXPROCS + 4).
func DefaultPoolSize() int { return min(32, runtime.GOMAXPROCS(0)+4) }

// NewThreadPool returns a pool of at most max goroutines; max < 1 means
// DefaultPoolSize.
func NewThreadPool(max int) *ThreadPool {
	if max < 1 {
		max = DefaultPoolSize()
	}
	return &ThreadPool{max: max, idle: make(chan struct{}), wake: make(chan struct{}, max)}
}

// SetIdleTimeout makes the pool's goroutines wait up to d for more work
// before they end, rather than end as soon as the queue is empty. A pool
// that runs short calls back to back then starts no goroutine per call,
// and its goroutines keep the stacks the calls grew: for calls that go
// deep, as database drivers do, growing a new goroutine's stack costs more
// than the call. Shutdown ends the waiting goroutines at once. Call it
// before the first Submit.
func (p *ThreadPool) SetIdleTimeout(d time.Duration) {
	p.mu.Lock()
	p.idleTimeout = d
	p.mu.Unlock()
}

// Submit queues fn. It is safe from any goroutine.
func (p *ThreadPool) Submit(fn func()) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrExecutorShutDown
	}
	p.queue = append(p.queue, fn)
	switch {
	case p.waiting > len(p.queue)-1:
		// A waiting worker takes it; the channel has room for a token
		// per worker.
		select {
		case p.wake <- struct{}{}:
		default:
		}
	case p.workers < p.max:
		p.workers++
		go p.work()
	}
	return nil
}

// work is the body of a pool goroutine; it ends when the queue is empty,
// or has stayed empty for the idle timeout.
func (p *ThreadPool) work() {
	var timer *time.Timer
	for {
		p.mu.Lock()
		if len(p.queue) == 0 && p.idleTimeout > 0 {
			p.waitForWork(&timer)
		}
		if len(p.queue) == 0 {
			p.workers--
			if p.closed && p.workers == 0 {
				close(p.idle)
			}
			p.mu.Unlock()
			return
		}
		fn := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()
		fn()
	}
}

// waitForWork waits, with p.mu held on entry and on return, until work
// is queued, the idle timeout passes or the pool is shut down. A token
// left by a Submit whose function another worker took wakes it for
// nothing: it waits again, for the time left.
func (p *ThreadPool) waitForWork(timer **time.Timer) {
	deadline := time.Now().Add(p.idleTimeout)
	for len(p.queue) == 0 && !p.closed {
		d := time.Until(deadline)
		if d <= 0 {
			return
		}
		p.waiting++
		p.mu.Unlock()
		if *timer == nil {
			*timer = time.NewTimer(d)
		} else {
			(*timer).Reset(d)
		}
		select {
		case <-p.wake:
		case <-(*timer).C:
		}
		(*timer).Stop()
		p.mu.Lock()
		p.waiting--
	}
}

// Shutdown stops accepting work and waits until every queued function has
// run, or until ctx ends; the work left then goes on in the background.
func (p *ThreadPool) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.wake) // waiting workers end
		if p.workers == 0 {
			close(p.idle)
		}
	}
	p.mu.Unlock()
	select {
	case <-p.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WithExecutor makes e the loop's default executor, used by ToThread. The
// loop shuts it down when it closes.
func WithExecutor(e Executor) Option { return func(c *config) { c.executor = e } }

// Executor returns the loop's default executor, making a ThreadPool of
// DefaultPoolSize if there is none yet.
func (l *Loop) Executor() Executor {
	l.execMu.Lock()
	defer l.execMu.Unlock()
	if l.executor == nil {
		l.executor = NewThreadPool(0)
	}
	return l.executor
}

// ToThread runs fn on the loop's default executor and waits for its result
// (asyncio.to_thread). While fn runs, the loop goes on with other tasks. If
// ctx ends first, ToThread returns ctx's error at once and fn runs on to
// its end in the background, its result dropped: a goroutine cannot be
// stopped from outside. A panic in fn is re-raised in the caller as a
// *PanicError. With a ctx that belongs to no task, ToThread just calls fn.
func ToThread[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return fn()
	}
	return RunInExecutor(ctx, l.Executor(), fn)
}

// RunInExecutor runs fn on e and waits for its result, as ToThread does
// with the default executor (loop.run_in_executor). From a goroutine that
// is not a task it blocks until the result comes. Called from a task, fn
// starts only once the task waits for it, so InTask with the task's ctx is
// false in fn: a task may hand fn what it uses itself, such as a request
// body that suspends the task when read from it and is handed to the loop
// when read from anywhere else.
func RunInExecutor[T any](ctx context.Context, e Executor, fn func() (T, error)) (T, error) {
	l := RunningLoop(ctx) // nil for a goroutine that is not a task: it blocks
	f := &Future[T]{}
	f.loop = l
	if l != nil {
		// While the work is out, a virtual clock must not jump: the result
		// may be what the loop is waiting for.
		l.external.Add(1)
	}
	done := func() {
		if l != nil {
			l.endExternal()
		}
	}
	work := func() {
		defer done()
		defer func() {
			if r := recover(); r != nil {
				f.TrySetError(executorPanic{&PanicError{Value: r, Task: "executor", Stack: stack()}})
			}
		}()
		v, err := fn()
		if err != nil {
			f.TrySetError(err)
		} else {
			f.TrySetResult(v)
		}
	}
	if InTask(ctx) {
		// The work is handed to e by a callback, which runs once the task
		// waits: fn never runs beside its task, so InTask is false in fn
		// and in what fn calls. Code that takes no ctx (an io.Reader made
		// for the task, say) relies on that to know that it is called
		// from another goroutine.
		l.CallSoon(func() {
			if err := e.Submit(work); err != nil {
				done()
				f.TrySetError(err)
			}
		})
	} else if err := e.Submit(work); err != nil {
		done()
		var zero T
		return zero, err
	}
	v, err := f.waitIn(ctx, waitExecutor)
	if p, ok := err.(executorPanic); ok {
		panic(p.PanicError)
	}
	return v, err
}

// executorPanic carries a panic of executor work to the waiter, which
// re-panics with it; an error fn returned is never mistaken for one.
type executorPanic struct{ *PanicError }

// shutdownExecutor shuts the default executor down, waiting up to
// ExecutorShutdownTimeout; past that it logs a warning and leaves the work
// to finish in the background, as asyncio does.
func (l *Loop) shutdownExecutor() {
	l.execMu.Lock()
	e := l.executor
	l.execMu.Unlock()
	if e == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ExecutorShutdownTimeout)
	defer cancel()
	if err := e.Shutdown(ctx); err != nil {
		l.logger.Warn("asyncio: the default executor did not finish its work in time", "timeout", ExecutorShutdownTimeout)
	}
}
