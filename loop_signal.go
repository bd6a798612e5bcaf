package asyncio

import (
	"errors"
	"os"
	"os/signal"
	"sync"
)

// ErrInterrupted is the cause with which Run cancels its main task on the
// first Ctrl-C (SIGINT): errors.Is(err, ErrInterrupted) tells an
// interrupted program from one that failed (asyncio's KeyboardInterrupt).
var ErrInterrupted = errors.New("asyncio: interrupted")

var errUncatchable = errors.New("asyncio: SIGKILL cannot be caught")

// signals is a loop's signal dispatch: one goroutine, owned by the loop,
// receives the signals that have handlers and schedules each handler on
// the loop. It runs while any handler is registered and ends when the last
// one is removed or the loop closes.
type signals struct {
	mu       sync.Mutex
	handlers map[os.Signal]func()
	ch       chan os.Signal
	done     chan struct{}
}

// AddSignalHandler arranges for fn to run on the loop, as a callback, each
// time the process receives sig (loop.add_signal_handler). A second
// handler for the same signal replaces the first. The loop holds the
// signal (through os/signal) until RemoveSignalHandler or Close.
func (l *Loop) AddSignalHandler(sig os.Signal, fn func()) error {
	if l.IsClosed() {
		return ErrLoopClosed
	}
	if sig == os.Kill {
		return errUncatchable
	}
	s := &l.signals
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handlers == nil {
		s.handlers = make(map[os.Signal]func())
		s.ch = make(chan os.Signal, 8)
		s.done = make(chan struct{})
		go l.dispatchSignals(s.ch, s.done)
	}
	s.handlers[sig] = fn
	signal.Notify(s.ch, sig)
	return nil
}

// RemoveSignalHandler removes the handler of sig and gives the signal its
// former behaviour back. It reports whether there was a handler.
func (l *Loop) RemoveSignalHandler(sig os.Signal) bool {
	s := &l.signals
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.handlers[sig]; !ok {
		return false
	}
	delete(s.handlers, sig)
	s.restart()
	return true
}

// restart re-registers the signals still handled; s.mu is held.
func (s *signals) restart() {
	signal.Stop(s.ch)
	if len(s.handlers) == 0 {
		close(s.done)
		s.handlers, s.ch, s.done = nil, nil, nil
		return
	}
	for sig := range s.handlers {
		signal.Notify(s.ch, sig)
	}
}

// stopSignals removes every handler; Close calls it.
func (l *Loop) stopSignals() {
	s := &l.signals
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handlers != nil {
		clear(s.handlers)
		s.restart()
	}
}

// dispatchSignals is the body of the loop's signal goroutine.
func (l *Loop) dispatchSignals(ch <-chan os.Signal, done <-chan struct{}) {
	for {
		select {
		case sig := <-ch:
			l.signals.mu.Lock()
			fn := l.signals.handlers[sig]
			l.signals.mu.Unlock()
			if fn != nil {
				l.CallSoonThreadsafe(fn)
			}
		case <-done:
			return
		}
	}
}

// WithInterruptHandling sets whether Run and Runner handle Ctrl-C (SIGINT)
// as asyncio.run does (default true): the first SIGINT cancels the main
// task with the cause ErrInterrupted and hands SIGINT back to its former
// behaviour, so a second one stops the program at once, unless something
// else in the program handles SIGINT too (a loop's AddSignalHandler
// included: its handler runs as well). Handling is off while SIGINT is
// ignored (signal.Ignored), as for a background job.
func WithInterruptHandling(on bool) Option {
	return func(c *config) { c.noInterrupt = !on }
}
