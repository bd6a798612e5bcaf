package asyncio

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio/internal/poller"
)

// ErrNoPoller is returned by AddReader and AddWriter on a system with no
// OS poller backend (the portable backend serves sockets there).
var ErrNoPoller = errors.New("asyncio: no OS poller on this system")

// fdWatch is what the loop calls when one descriptor is ready.
type fdWatch struct {
	reader, writer *Handle
}

// AddReader arranges for fn to run on the loop each time fd is readable,
// until RemoveReader (loop.add_reader). The descriptor should be
// non-blocking; the loop never closes it. Readiness is level-triggered: fn
// runs in every iteration in which fd is still readable. A second
// AddReader for fd replaces fn. It must be called from code running on the
// loop.
func (l *Loop) AddReader(fd int, fn func()) error {
	_, err := l.watch(fd, fn, true)
	return err
}

// AddWriter arranges for fn to run on the loop each time fd is writable,
// until RemoveWriter (loop.add_writer).
func (l *Loop) AddWriter(fd int, fn func()) error {
	_, err := l.watch(fd, fn, false)
	return err
}

// RemoveReader stops watching fd for reading and reports whether it was.
func (l *Loop) RemoveReader(fd int) bool { return l.unwatch(fd, true, nil) }

// RemoveWriter stops watching fd for writing and reports whether it was.
func (l *Loop) RemoveWriter(fd int) bool { return l.unwatch(fd, false, nil) }

// watch is AddReader or AddWriter; it returns the handle that now runs fn,
// for unwatch.
func (l *Loop) watch(fd int, fn func(), read bool) (*Handle, error) {
	l.checkOnLoop("AddReader")
	if l.isClosed() {
		return nil, ErrLoopClosed
	}
	if fd < 0 {
		return nil, fmt.Errorf("asyncio: watch of invalid descriptor %d", fd)
	}
	p, err := l.ioPoller()
	if err != nil {
		return nil, err
	}
	if fd >= len(l.fds) {
		// Descriptors are small integers the kernel hands out lowest
		// first: a slice indexed by them costs 16 bytes a descriptor and
		// no allocation per watch, where a map costs three times that.
		l.fds = append(l.fds, make([]fdWatch, fd+1-len(l.fds)+len(l.fds)/2)...)
	}
	w := &l.fds[fd]
	h := &Handle{fn: fn}
	oldR, oldW := w.reader != nil, w.writer != nil
	if read {
		if w.reader != nil {
			w.reader.Cancel()
		}
		w.reader = h
	} else {
		if w.writer != nil {
			w.writer.Cancel()
		}
		w.writer = h
	}
	newR, newW := w.reader != nil, w.writer != nil
	switch {
	case !oldR && !oldW:
		err = p.Add(fd, newR, newW)
	case newR != oldR || newW != oldW:
		err = p.Modify(fd, newR, newW)
	}
	if err != nil {
		if read {
			w.reader = nil
		} else {
			w.writer = nil
		}
		return nil, fmt.Errorf("asyncio: watch descriptor %d: %w", fd, err)
	}
	if !oldR && !oldW {
		l.watched++
	}
	return h, nil
}

// unwatch is RemoveReader or RemoveWriter. With a handle from watch, it
// removes the watch only if that handle is still the one in place: a wait
// that ends after another took over the descriptor must leave the other's
// watch alone, as asyncio's sock_* calls check their own handle.
func (l *Loop) unwatch(fd int, read bool, only *Handle) bool {
	if fd < 0 || fd >= len(l.fds) {
		return false
	}
	w := &l.fds[fd]
	h := &w.writer
	if read {
		h = &w.reader
	}
	if *h == nil || only != nil && *h != only {
		return false
	}
	(*h).Cancel() // an event already taken this iteration must not run it
	*h = nil
	if w.reader == nil && w.writer == nil {
		l.watched--
		l.poll.Load().Remove(fd)
	} else {
		l.poll.Load().Modify(fd, w.reader != nil, w.writer != nil)
	}
	return true
}

// ioPoller returns the loop's OS poller, making it on first use: a loop
// that never watches a descriptor holds none, and sleeps on a channel.
func (l *Loop) ioPoller() (*poller.Poller, error) {
	if p := l.poll.Load(); p != nil {
		return p, nil
	}
	p, err := poller.New()
	if errors.Is(err, poller.ErrNotSupported) {
		return nil, ErrNoPoller
	}
	if err != nil {
		return nil, fmt.Errorf("asyncio: make the I/O poller: %w", err)
	}
	l.poll.Store(p)
	return p, nil
}

// pollIO waits up to d (0: not at all) for descriptors to be ready and
// queues their callbacks for this iteration. It reports whether it was
// woken or found something before d passed.
func (l *Loop) pollIO(d time.Duration) bool {
	p := l.poll.Load()
	start := time.Now()
	n, err := p.Wait(d, l.events)
	if err != nil {
		l.CallExceptionHandler(ExceptionContext{Message: "I/O poller failed", Err: err})
		return true
	}
	for _, ev := range l.events[:n] {
		if ev.FD >= len(l.fds) {
			continue
		}
		w := &l.fds[ev.FD]
		if ev.Readable && w.reader != nil {
			l.ioReady = append(l.ioReady, w.reader)
		}
		if ev.Writable && w.writer != nil {
			l.ioReady = append(l.ioReady, w.writer)
		}
	}
	return n > 0 || d < 0 || time.Since(start) < d
}

// readBuffer returns the loop's buffer for transports' reads, made on
// first use.
func (l *Loop) readBuffer() []byte {
	if l.readBuf == nil {
		l.readBuf = make([]byte, 64<<10)
	}
	return l.readBuf
}

// A loopResource is something of the loop's that holds a descriptor: a
// server or a transport. Close closes those still open, so that no socket
// outlives its loop.
type loopResource interface {
	closeForLoop()
	isServer() bool // servers close first
}

func (l *Loop) track(r loopResource) {
	if l.open == nil {
		l.open = make(map[loopResource]struct{})
	}
	l.open[r] = struct{}{}
}

func (l *Loop) untrack(r loopResource) { delete(l.open, r) }

// closeResources closes the servers first, so nothing new is accepted,
// then the transports, whose protocols get ConnectionLost with
// ErrLoopClosed.
func (l *Loop) closeResources() {
	for pass := 0; pass < 2; pass++ {
		for r := range l.open {
			if r.isServer() == (pass == 0) {
				r.closeForLoop()
			}
		}
	}
	l.open = nil
}
