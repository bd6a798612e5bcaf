package asyncio

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// scope is the context.Context of every task, timeout scope, task group and
// gather of this package: a node in a tree of cancellation.
//
// Cancelling a scope cancels its child scopes and wakes the task that owns
// each of them, synchronously, from whatever goroutine cancelled it; that is
// what makes cancellation level-triggered without a goroutine per wait.
// Standard contexts derived from a scope (context.WithCancel(ctx) and
// friends) register through AfterFunc, also without a goroutine.
type scope struct {
	sib links[scope] // in up's children, guarded by up.mu; first: see links

	parent context.Context // values and deadline come from here
	owner  *taskCore       // task woken when the scope is cancelled
	loop   *Loop

	deadline    time.Time
	hasDeadline bool

	cancelled atomic.Bool
	err       error           // context.Canceled or context.DeadlineExceeded; set before cancelled
	waitErr   error           // what waits return: err, or a *CancelledError carrying cause
	causeCtx  context.Context // its context.Cause is the cause given, or err; see Value

	mu   sync.Mutex
	done chan struct{}
	// The child scopes, in the order they attached (guarded by mu):
	// cancellation wakes them in that order, so a run under a virtual
	// clock is reproducible.
	children   list[scope]
	up         *scope // the scope this one is registered with
	afterFuncs []*afterFunc
	stopParent func() bool // undoes the registration with a foreign parent
}

// The links of a scope are its first field.
var _ [0]struct{} = [unsafe.Offsetof(scope{}.sib)]struct{}{}

type scopeKey struct{}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// newScope makes a scope that belongs to owner (nil for none) and, if
// inherit is true, is cancelled when parent is.
func newScope(parent context.Context, loop *Loop, owner *taskCore, inherit bool) *scope {
	s := &scope{}
	s.init(parent, loop, owner, inherit)
	return s
}

// init sets up a scope in place, for one embedded in a task.
func (s *scope) init(parent context.Context, loop *Loop, owner *taskCore, inherit bool) {
	s.parent, s.owner, s.loop = parent, owner, loop
	if d, ok := parent.Deadline(); ok && inherit {
		s.deadline, s.hasDeadline = d, true
	}
	if inherit {
		s.attach(parent)
	}
}

// attach arranges for s to be cancelled when parent is.
func (s *scope) attach(parent context.Context) {
	if p, ok := parent.(*scope); ok {
		p.addChild(s)
		return
	}
	done := parent.Done()
	if done == nil {
		return
	}
	if p := scopeOf(parent); p != nil && p.Done() == done {
		p.addChild(s)
		return
	}
	s.stopParent = context.AfterFunc(parent, func() {
		s.cancel(parent.Err(), context.Cause(parent))
	})
}

func (s *scope) addChild(c *scope) {
	s.mu.Lock()
	if s.cancelled.Load() {
		s.mu.Unlock()
		c.cancelTree(s.err, context.Cause(s.causeCtx), s.causeCtx, nil)
		return
	}
	c.up = s
	s.children.pushBack(c)
	s.mu.Unlock()
}

// detach removes s from its parent, once s is no longer needed, so a
// long-lived parent does not accumulate finished children.
func (s *scope) detach() {
	if up := s.up; up != nil {
		up.mu.Lock()
		up.children.remove(s)
		up.mu.Unlock()
	}
	if s.stopParent != nil {
		s.stopParent()
	}
}

// cancel cancels s and its descendants with err (context.Canceled or
// context.DeadlineExceeded) and an optional cause, and wakes the tasks that
// own them. It is safe from any goroutine; only the first call has an
// effect.
func (s *scope) cancel(err, cause error) bool { return s.cancelFrom(err, cause, nil) }

// release cancels a scope its owner is done with (a timeout scope closing,
// a group ending, a task returning) without waking the owner, which is
// running: a wake-up would only make its next wait resume early.
func (s *scope) release() { s.cancelFrom(context.Canceled, nil, s.owner) }

func (s *scope) cancelFrom(err, cause error, running *taskCore) bool {
	return s.cancelTree(err, cause, nil, running)
}

// cancelTree cancels s and its children. causeCtx, made once for the
// whole tree, is what their Value gives context.Cause.
func (s *scope) cancelTree(err, cause error, causeCtx context.Context, running *taskCore) bool {
	s.mu.Lock()
	if s.cancelled.Load() {
		s.mu.Unlock()
		return false
	}
	if causeCtx == nil {
		causeCtx = causeContext(err, cause)
	}
	s.err, s.causeCtx = err, causeCtx
	s.waitErr = err
	if cause != nil && cause != err && err == context.Canceled {
		s.waitErr = &CancelledError{Cause: cause}
	}
	s.cancelled.Store(true)
	if s.done != nil {
		close(s.done)
	}
	var children []*scope
	for c := s.children.popFront(); c != nil; c = s.children.popFront() {
		children = append(children, c)
	}
	afters := s.afterFuncs
	s.afterFuncs = nil
	s.mu.Unlock()

	for _, c := range children {
		c.cancelTree(err, cause, causeCtx, running)
	}
	for _, a := range afters {
		a.run()
	}
	if s.owner != nil && s.owner != running {
		s.owner.wakeForCancel()
	}
	return true
}

// Deadline implements context.Context.
func (s *scope) Deadline() (time.Time, bool) { return s.deadline, s.hasDeadline }

// Done implements context.Context. The channel is made on first use: waits
// on the loop never need it.
func (s *scope) Done() <-chan struct{} {
	if s.cancelled.Load() {
		return closedChan
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancelled.Load() {
		return closedChan
	}
	if s.done == nil {
		s.done = make(chan struct{})
	}
	return s.done
}

// Err implements context.Context.
func (s *scope) Err() error {
	if !s.cancelled.Load() {
		return nil
	}
	return s.err
}

// Value implements context.Context. Once the scope is cancelled, a
// cancelled context of the standard library whose cause is the scope's
// answers first: context.Cause finds the cause of a context by asking
// Value for the standard library's own cancel context, which a scope is
// not, and would otherwise find none, or an ancestor's, and say only
// ctx.Err(). Until then, keys go to the parent.
func (s *scope) Value(key any) any {
	if key == (scopeKey{}) {
		return s
	}
	if s.cancelled.Load() {
		if v := s.causeCtx.Value(key); v != nil {
			return v
		}
	}
	return s.parent.Value(key)
}

// Cancelled contexts of the standard library whose causes are the plain
// errors, shared by every scope cancelled without a cause of its own, so
// that a task ending (which cancels its scope) allocates nothing for
// context.Cause.
var (
	canceledCtx = func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}()
	deadlineCtx = func() context.Context {
		ctx, cancel := context.WithDeadline(context.Background(), time.Time{})
		cancel()
		return ctx
	}()
)

// causeContext returns a cancelled context of the standard library whose
// context.Cause is cause, or err if there is none. It holds no values.
func causeContext(err, cause error) context.Context {
	if cause == nil || cause == err {
		if err == context.DeadlineExceeded {
			return deadlineCtx
		}
		return canceledCtx
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return ctx
}

// AfterFunc lets the context package register children of a scope without
// starting a goroutine for each (see context.AfterFunc's afterFuncer).
func (s *scope) AfterFunc(f func()) func() bool {
	a := &afterFunc{f: f}
	s.mu.Lock()
	if s.cancelled.Load() {
		s.mu.Unlock()
		a.run()
		return func() bool { return false }
	}
	s.afterFuncs = append(s.afterFuncs, a)
	s.mu.Unlock()
	return func() bool {
		s.mu.Lock()
		for i, x := range s.afterFuncs {
			if x == a {
				s.afterFuncs = append(s.afterFuncs[:i], s.afterFuncs[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		return a.stop()
	}
}

func (s *scope) String() string {
	if s.owner != nil {
		return "asyncio.scope(" + s.owner.Name() + ")"
	}
	return "asyncio.scope"
}

type afterFunc struct {
	once atomic.Bool
	f    func()
}

func (a *afterFunc) run() {
	if a.once.CompareAndSwap(false, true) {
		a.f()
	}
}

func (a *afterFunc) stop() bool { return a.once.CompareAndSwap(false, true) }

// scopeOf returns the innermost scope of ctx, or nil.
func scopeOf(ctx context.Context) *scope {
	if s, ok := ctx.(*scope); ok {
		return s
	}
	s, _ := ctx.Value(scopeKey{}).(*scope)
	return s
}

// waitError returns the error a wait with ctx reports once ctx is done, or
// nil while it is not.
func waitError(ctx context.Context) error {
	if s, ok := ctx.(*scope); ok {
		if !s.cancelled.Load() {
			return nil
		}
		return s.waitErr
	}
	err := ctx.Err()
	if err == nil {
		return nil
	}
	if cause := context.Cause(ctx); cause != nil && cause != err && err == context.Canceled {
		return &CancelledError{Cause: cause}
	}
	return err
}

// Cause returns the cause given when ctx's task or scope was cancelled:
// nil while ctx is not done, ctx.Err() when no cause was given. It is what
// context.Cause returns for the same ctx, and for contexts made from it by
// the context package; Cause skips the look-up context.Cause makes.
func Cause(ctx context.Context) error {
	if s := scopeOf(ctx); s != nil && ctx.Done() == s.Done() {
		if !s.cancelled.Load() {
			return nil
		}
		return context.Cause(s.causeCtx)
	}
	return context.Cause(ctx)
}
