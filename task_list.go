package asyncio

import (
	"iter"
	"unsafe"
)

// links are what an element carries to be in a list. They must be the
// first field of the element's struct type, where the list finds them
// (each element type asserts it at compile time, next to its fields).
//
// A method constraint (P interface{ *E; links() *links[E] }) would need no
// such rule, but Go calls a method of a pointer type argument through the
// instantiation's dictionary, never inlined: that cost about 60
// instructions per Lock hand-off, 5 % of it.
type links[E any] struct {
	prev, next *E
}

// linksOf returns the links of e.
func linksOf[E any](e *E) *links[E] { return (*links[E])(unsafe.Pointer(e)) }

// A list is a doubly linked list whose elements carry their own links (an
// intrusive list): adding or removing one allocates nothing and takes
// constant time, and the list is two words. An element is in at most one
// list at a time, and is in it when it has a predecessor or is its head,
// so it needs no flag of its own. The zero list is empty; its user guards
// it. The waiters of a waitq, the live tasks of a loop and the children of
// a scope are lists.
type list[E any] struct {
	head, tail *E
}

// front returns the first element, or nil.
func (l *list[E]) front() *E { return l.head }

// pushBack adds e, which is in no list, at the end.
func (l *list[E]) pushBack(e *E) {
	linksOf(e).prev = l.tail
	if l.tail != nil {
		linksOf(l.tail).next = e
	} else {
		l.head = e
	}
	l.tail = e
}

// remove takes e out of the list and reports whether it was in it.
func (l *list[E]) remove(e *E) bool {
	n := linksOf(e)
	if n.prev == nil && l.head != e {
		return false
	}
	if n.prev != nil {
		linksOf(n.prev).next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		linksOf(n.next).prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next = nil, nil
	return true
}

// popFront removes the first element and returns it, or nil. It is
// remove for the head, short enough to be inlined where a grant takes the
// first waiter.
func (l *list[E]) popFront() *E {
	e := l.head
	if e == nil {
		return nil
	}
	n := linksOf(e)
	l.head = n.next
	if n.next != nil {
		linksOf(n.next).prev = nil
	} else {
		l.tail = nil
	}
	n.next = nil
	return e
}

// all yields the elements in order. The body of the loop must not change
// the list.
func (l *list[E]) all() iter.Seq[*E] {
	return func(yield func(*E) bool) {
		for e := l.head; e != nil; e = linksOf(e).next {
			if !yield(e) {
				return
			}
		}
	}
}
