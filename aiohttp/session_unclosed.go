package aiohttp

import (
	"errors"
	"runtime"

	"github.com/asyncio-go/asyncio"
)

// ErrUnclosedSession is the error of the report a session makes when it
// is garbage-collected without Close (aiohttp's "Unclosed client
// session").
var ErrUnclosedSession = errors.New("aiohttp: Session garbage-collected without Close")

// watchUnclosed arranges for p's connections to be aborted, and the loop's
// exception handler told, should the session that owns p become
// unreachable while p is still open. Its idle connections would
// otherwise stay open until their keep-alive timers fired, or the loop
// closed, as the programmer could no longer close them.
func watchUnclosed(s *Session, l *asyncio.Loop, p *pool) {
	runtime.AddCleanup(s, func(p *pool) {
		// The cleanup runs on a goroutine of the runtime: the pool is
		// the loop's, so the work goes there. A closed loop closed
		// every connection already.
		l.CallSoonThreadsafe(func() {
			if p.closed {
				return
			}
			p.closed = true
			n := len(p.all)
			for c := range p.all {
				c.abort()
			}
			if n > 0 {
				l.CallExceptionHandler(asyncio.ExceptionContext{
					Message: "aiohttp: unclosed Session; its connections were aborted",
					Err:     ErrUnclosedSession,
				})
			}
		})
	}, p)
}
