package asyncio

import "iter"

// links are what an element carries to be in a list: a struct type has a
// links field for the list it can be in.
type links[E any] struct {
	prev, next *E
}

// linked is the constraint on the elements of a list: a pointer to E that
// finds E's links.
type linked[E any] interface {
	*E
	links() *links[E]
}

// A list is a doubly linked list whose elements carry their own links (an
// intrusive list): adding or removing one allocates nothing and takes
// constant time, and the list is two words. An element is in at most one
// list at a time, and is in it when it has a predecessor or is its head,
// so it needs no flag of its own. The zero list is empty; its user guards
// it. The waiters of a waitq, the live tasks of a loop and the children
// of a scope are lists.
type list[E any, P linked[E]] struct {
	head, tail *E
}

// front returns the first element, or nil.
func (l *list[E, P]) front() *E { return l.head }

// pushBack adds e, which is in no list, at the end.
func (l *list[E, P]) pushBack(e *E) {
	P(e).links().prev = l.tail
	if l.tail != nil {
		P(l.tail).links().next = e
	} else {
		l.head = e
	}
	l.tail = e
}

// remove takes e out of the list and reports whether it was in it.
func (l *list[E, P]) remove(e *E) bool {
	n := P(e).links()
	if n.prev == nil && l.head != e {
		return false
	}
	if n.prev != nil {
		P(n.prev).links().next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		P(n.next).links().prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next = nil, nil
	return true
}

// popFront removes the first element and returns it, or nil.
func (l *list[E, P]) popFront() *E {
	e := l.head
	if e != nil {
		l.remove(e)
	}
	return e
}

// all yields the elements in order. The body of the loop must not change
// the list.
func (l *list[E, P]) all() iter.Seq[*E] {
	return func(yield func(*E) bool) {
		for e := l.head; e != nil; e = P(e).links().next {
			if !yield(e) {
				return
			}
		}
	}
}
