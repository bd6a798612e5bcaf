package patterns

// ring is a FIFO of values in a growable circular buffer.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) len() int { return r.n }

func (r *ring[T]) pushBack(v T) {
	if r.n == len(r.buf) {
		nb := make([]T, max(2*len(r.buf), 4))
		for i := range r.n {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

func (r *ring[T]) popFront() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return v
}

// removeAt removes the i-th value from the front, moving the ones before it
// up by one.
func (r *ring[T]) removeAt(i int) {
	for j := i; j > 0; j-- {
		r.buf[(r.head+j)%len(r.buf)] = r.buf[(r.head+j-1)%len(r.buf)]
	}
	r.popFront()
}

func (r *ring[T]) clear() { *r = ring[T]{} }
