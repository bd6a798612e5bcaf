package asyncio

import (
	"container/heap"
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
)

// Errors of queues (asyncio.QueueFull, QueueEmpty and QueueShutDown).
var (
	ErrQueueFull     = errors.New("asyncio: queue is full")
	ErrQueueEmpty    = errors.New("asyncio: queue is empty")
	ErrQueueShutDown = errors.New("asyncio: queue is shut down")
)

// A Queue is a FIFO queue for tasks and goroutines (asyncio.Queue), or a
// LIFO or priority queue as made by NewLifoQueue and NewPriorityQueue.
//
// Put waits while the queue is full, Get while it is empty. Either may be
// called from a task, which is suspended, or from a plain goroutine, which
// is blocked: a queue is the bridge between loop code and ordinary Go code.
//
// Fairness: waiters are served strictly in the order they began to wait.
// An item put while getters wait goes straight to the first of them, and a
// slot freed while putters wait is reserved for the first of them, so
// TryGet and TryPut never take what a waiter was given. A putter handed a
// slot puts its item when it resumes; until then Full reports true and new
// putters wait behind it, so items go in in the order of their Put calls. (asyncio wakes a
// waiter and lets it try again, so a get_nowait can take the item meant for
// it.) A getter cancelled after it was handed an item gives the item back
// to the head of the queue; a putter cancelled after a slot was reserved
// for it passes the slot on. No item is lost or delivered twice.
type Queue[T any] struct {
	mu         sync.Mutex
	maxsize    int
	items      store[T]
	getters    waitq
	putters    waitq
	reserved   int // slots reserved for putters that have not resumed yet
	unfinished int
	joiners    waitq
	shutdown   bool
}

// shutdownGrant is what a waiter woken by Shutdown is handed.
type shutdownGrant struct{}

// NewQueue returns a FIFO queue that holds at most maxsize items; maxsize
// ≤ 0 means no limit.
func NewQueue[T any](maxsize int) *Queue[T] {
	return &Queue[T]{maxsize: maxsize, items: &fifo[T]{}}
}

// NewLifoQueue returns a queue whose Get returns the item put last
// (asyncio.LifoQueue).
func NewLifoQueue[T any](maxsize int) *Queue[T] {
	return &Queue[T]{maxsize: maxsize, items: &lifo[T]{}}
}

// NewPriorityQueue returns a queue whose Get returns the least item by less
// (asyncio.PriorityQueue, lowest first). Items that are equal by less come
// out in no particular order.
func NewPriorityQueue[T any](maxsize int, less func(a, b T) bool) *Queue[T] {
	return &Queue[T]{maxsize: maxsize, items: &prio[T]{less: less}}
}

// Put puts v in the queue, waiting while the queue is full. It returns
// ErrQueueShutDown if the queue is (or, while the caller waits, is being)
// shut down, and ctx's error if ctx ends first; v is not in the queue then.
// With a ctx that is already done it fails at once.
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.shutdown {
		return ErrQueueShutDown
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	// Getters wait only while the queue is empty, so it is full then only
	// because its slots are reserved for putters that came first.
	// !putWaits(), which is not inlined; a putter never waits on an
	// unbounded queue.
	if q.maxsize <= 0 || q.putters.idle() && !q.fullLocked() {
		q.putLocked(v)
		return nil
	}
	w := waiterFor(ctx, waitQueuePut, nil)
	granted, err := q.putters.wait(ctx, &q.mu, w)
	if err != nil {
		if granted && w.val == nil { // a reserved slot: pass it on
			q.reserved--
			q.freeSlots()
		}
		return err
	}
	if _, ok := w.val.(shutdownGrant); ok {
		return ErrQueueShutDown
	}
	q.reserved--
	if q.shutdown { // shut down after the slot was reserved, as asyncio's put_nowait raises
		return ErrQueueShutDown
	}
	q.putLocked(v)
	// Putters that queued behind this one while there was room get the
	// room that is left.
	q.freeSlots()
	return nil
}

// TryPut puts v in the queue if there is room, or returns ErrQueueFull
// (or ErrQueueShutDown).
func (q *Queue[T]) TryPut(v T) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.shutdown {
		return ErrQueueShutDown
	}
	if q.putWaits() {
		return ErrQueueFull
	}
	q.putLocked(v)
	return nil
}

// putLocked adds v: to the first getter if one waits, else to the items.
func (q *Queue[T]) putLocked(v T) {
	q.unfinished++
	// Only an item handed to a getter travels as an interface value: the
	// waiting check keeps the common put from boxing it.
	if q.getters.waiting() && q.getters.grant(v) {
		q.freeSlot() // v took no slot: a putter holding a reservation may have just used it
		return
	}
	q.items.push(v)
}

// Get takes an item from the queue, waiting while it is empty. It returns
// ErrQueueShutDown once the queue is shut down and empty, and ctx's error
// if ctx ends first. With a ctx that is already done it fails at once.
func (q *Queue[T]) Get(ctx context.Context) (T, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var zero T
	if err := waitError(ctx); err != nil {
		return zero, err
	}
	if q.items.len() > 0 {
		return q.takeLocked(), nil
	}
	if q.shutdown {
		return zero, ErrQueueShutDown
	}
	w := waiterFor(ctx, waitQueueGet, nil)
	granted, err := q.getters.wait(ctx, &q.mu, w)
	_, shut := w.val.(shutdownGrant)
	if err != nil {
		if granted && !shut {
			v, _ := w.val.(T) // a nil interface item is T's zero value
			q.giveBack(v)
		}
		return zero, err
	}
	if shut {
		return zero, ErrQueueShutDown
	}
	v, _ := w.val.(T)
	return v, nil
}

// TryGet takes an item if there is one, or returns ErrQueueEmpty (or
// ErrQueueShutDown once the queue is shut down and empty).
func (q *Queue[T]) TryGet() (T, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.items.len() > 0 {
		return q.takeLocked(), nil
	}
	var zero T
	if q.shutdown {
		return zero, ErrQueueShutDown
	}
	return zero, ErrQueueEmpty
}

// takeLocked removes the next item and offers the slot it frees.
func (q *Queue[T]) takeLocked() T {
	v := q.items.pop()
	q.freeSlot()
	return v
}

// freeSlot reserves a slot just freed for the first putter, if one waits.
func (q *Queue[T]) freeSlot() {
	if q.putters.waiting() && !q.fullLocked() && q.putters.grant(nil) {
		q.reserved++
	}
}

// freeSlots reserves the free slots for the first putters, if any wait:
// there may be several once a putter that others queued behind has put,
// or has given back the slot reserved for it.
func (q *Queue[T]) freeSlots() {
	for q.putters.waiting() && !q.fullLocked() && q.putters.grant(nil) {
		q.reserved++
	}
}

// giveBack returns an item a cancelled getter was handed: to the next
// getter, or to the head of the queue.
func (q *Queue[T]) giveBack(v T) {
	if q.getters.grant(v) {
		return
	}
	q.items.putBack(v)
}

// TaskDone marks one item taken from the queue as processed; when every
// item put has been marked so, Join returns. Calling it more often than
// items were put panics (asyncio raises ValueError).
func (q *Queue[T]) TaskDone() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unfinished <= 0 {
		panic("asyncio: Queue.TaskDone called more times than items were put")
	}
	q.unfinished--
	if q.unfinished == 0 {
		q.joiners.grantAll()
	}
}

// Join waits until every item put in the queue has been marked with
// TaskDone (or drained by an immediate Shutdown).
func (q *Queue[T]) Join(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unfinished == 0 {
		return nil
	}
	w := waiterFor(ctx, waitQueueJoin, nil)
	_, err := q.joiners.wait(ctx, &q.mu, w)
	return err
}

// Shutdown shuts the queue down (asyncio 3.13): Put and TryPut fail with
// ErrQueueShutDown from now on, and so do Get and TryGet once the queue is
// empty; every waiting putter, and every getter of an empty queue, returns
// ErrQueueShutDown. With immediate, the items still queued are dropped and
// counted as done, so Join returns.
func (q *Queue[T]) Shutdown(immediate bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.shutdown = true
	if immediate {
		for q.items.len() > 0 {
			q.items.pop()
			if q.unfinished > 0 {
				q.unfinished--
			}
		}
		if q.unfinished == 0 {
			q.joiners.grantAll()
		}
	}
	if q.items.len() == 0 {
		for q.getters.grant(shutdownGrant{}) {
		}
	}
	for q.putters.grant(shutdownGrant{}) {
	}
}

// All yields the items of the queue as Get takes them, until the queue is
// shut down and empty. If ctx ends first, it yields ctx's error and stops.
// It does not call TaskDone.
func (q *Queue[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := q.Get(ctx)
			if errors.Is(err, ErrQueueShutDown) {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Len returns the number of items in the queue (asyncio's qsize).
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items.len()
}

// MaxSize returns the queue's capacity; 0 or less means unbounded.
func (q *Queue[T]) MaxSize() int { return q.maxsize }

// Empty reports whether the queue holds no item.
func (q *Queue[T]) Empty() bool { return q.Len() == 0 }

// Full reports whether Put would wait: the queue is full, counting the
// slots reserved for putters that have not resumed yet, or other putters
// wait before the caller.
func (q *Queue[T]) Full() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.putWaits()
}

func (q *Queue[T]) fullLocked() bool {
	return q.maxsize > 0 && q.items.len()+q.reserved >= q.maxsize
}

// putWaits reports whether a new Put must wait: there is no room, or
// putters that came first have not put yet. A putter handed a slot puts
// when it resumes, so a newcomer that went ahead of it would put its item
// first.
func (q *Queue[T]) putWaits() bool {
	return q.fullLocked() || !q.putters.idle()
}

// store is the order of a queue's items.
type store[T any] interface {
	push(T)
	pop() T
	putBack(T) // return an item a cancelled getter was handed: older than every item held
	len() int
}

// An item given back is older than every item pushed since it was handed
// out (a getter waits only while the store is empty), and as a rule younger
// than the items given back before it, since cancelled getters resume in
// the order they were handed their items: fifo and lifo keep the backs
// given-back items in that order at their old end.

// fifo is a ring buffer.
type fifo[T any] struct {
	buf               []T
	head, size, backs int
}

func (f *fifo[T]) len() int { return f.size }

func (f *fifo[T]) grow() {
	n := max(8, 2*len(f.buf))
	buf := make([]T, n)
	for i := 0; i < f.size; i++ {
		buf[i] = f.buf[(f.head+i)%len(f.buf)]
	}
	f.buf, f.head = buf, 0
}

func (f *fifo[T]) push(v T) {
	if f.size == len(f.buf) {
		f.grow()
	}
	f.buf[(f.head+f.size)%len(f.buf)] = v
	f.size++
}

func (f *fifo[T]) pop() T {
	var zero T
	if f.backs > 0 {
		f.backs--
	}
	v := f.buf[f.head]
	f.buf[f.head] = zero
	f.head = (f.head + 1) % len(f.buf)
	f.size--
	return v
}

func (f *fifo[T]) putBack(v T) {
	if f.size == len(f.buf) {
		f.grow()
	}
	n := len(f.buf)
	f.head = (f.head - 1 + n) % n
	for i := 0; i < f.backs; i++ {
		f.buf[(f.head+i)%n] = f.buf[(f.head+i+1)%n]
	}
	f.buf[(f.head+f.backs)%n] = v
	f.size++
	f.backs++
}

// lifo is a stack.
type lifo[T any] struct {
	s     []T
	backs int
}

func (l *lifo[T]) len() int { return len(l.s) }
func (l *lifo[T]) push(v T) { l.s = append(l.s, v) }
func (l *lifo[T]) putBack(v T) {
	l.s = slices.Insert(l.s, l.backs, v)
	l.backs++
}
func (l *lifo[T]) pop() T {
	var zero T
	if len(l.s) <= l.backs {
		l.backs--
	}
	v := l.s[len(l.s)-1]
	l.s[len(l.s)-1] = zero
	l.s = l.s[:len(l.s)-1]
	return v
}

// prio is a binary heap ordered by less.
type prio[T any] struct {
	s    []T
	less func(a, b T) bool
}

func (p *prio[T]) Len() int           { return len(p.s) }
func (p *prio[T]) Less(i, j int) bool { return p.less(p.s[i], p.s[j]) }
func (p *prio[T]) Swap(i, j int)      { p.s[i], p.s[j] = p.s[j], p.s[i] }
func (p *prio[T]) Push(x any)         { p.s = append(p.s, x.(T)) }
func (p *prio[T]) Pop() any {
	var zero T
	v := p.s[len(p.s)-1]
	p.s[len(p.s)-1] = zero
	p.s = p.s[:len(p.s)-1]
	return v
}

func (p *prio[T]) len() int    { return len(p.s) }
func (p *prio[T]) push(v T)    { heap.Push(p, v) }
func (p *prio[T]) putBack(v T) { heap.Push(p, v) }
func (p *prio[T]) pop() T      { return heap.Pop(p).(T) }
