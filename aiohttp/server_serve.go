package aiohttp

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/asyncio-go/asyncio"
)

// serve is the body of a request's task: it builds the http.Request, runs
// the handler, completes the response and hands the connection over to
// the next request.
func (c *conn) serve(ctx context.Context) (struct{}, error) {
	s := c.srv
	x := &c.ex
	// The server counts the task as ended only once it has handed the
	// connection on, whatever happens in between.
	defer s.taskEnded()
	c.started = true
	if c.state == stateClosed {
		// Closed or aborted before the task's first step.
		c.endTask()
		c.releaseBuf()
		return struct{}{}, nil
	}
	var start time.Time
	if s.cfg.accessLog != nil {
		start = time.Now()
	}
	r, err := x.request(ctx, c)
	if err != nil {
		c.endTask()
		c.fail(http.StatusBadRequest)
		return struct{}{}, nil
	}
	w := &x.resp
	w.reset(c, r)
	var timer *asyncio.TimerHandle
	timedOut := false
	if d := s.cfg.handlerTimeout; d > 0 {
		task := c.task
		timer = s.loop.CallLater(d, func() {
			timedOut = true
			task.CancelCause(errHandlerTimeout)
			c.dataEv.Set()
			c.writeEv.Set()
		})
	}
	if p, stack := c.runHandler(w, r); p != nil {
		c.handlerPanicked(r, w, p, stack)
	} else {
		if timedOut && !w.wroteHeader && !w.hijacked {
			w.closeAfter = true
			w.writeHeader(http.StatusServiceUnavailable)
		}
		w.finish()
	}
	if timer != nil {
		timer.Cancel()
	}
	w.stopDeadlines()
	if s.cfg.accessLog != nil {
		status := w.status
		if w.hijacked {
			status = http.StatusSwitchingProtocols
		}
		s.logAccess(r, status, w.written, start)
	}
	// The connection is no longer this task's: next may start the task
	// of a pipelined request.
	c.endTask()
	c.next(ctx)
	return struct{}{}, nil
}

// runHandler runs the handler and returns what it panicked with, if it did.
func (c *conn) runHandler(w *response, r *http.Request) (p any, stack []byte) {
	defer func() {
		if v := recover(); v != nil {
			p, stack = v, debug.Stack()
		}
	}()
	c.srv.handler.ServeHTTP(w, r)
	return nil, nil
}

// handlerPanicked reports a handler's panic to the loop's exception handler,
// as net/http logs it, and answers 500 if nothing was sent yet; otherwise
// the connection is aborted. http.ErrAbortHandler aborts silently.
func (c *conn) handlerPanicked(r *http.Request, w *response, p any, stack []byte) {
	pe, ok := p.(*asyncio.PanicError) // from a Threaded handler
	if !ok {
		pe = &asyncio.PanicError{Value: p, Task: c.task.Name(), Stack: stack}
	}
	if err, ok := pe.Value.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
		c.srv.loop.CallExceptionHandler(asyncio.ExceptionContext{
			Message: "aiohttp: handler of " + r.Method + " " + r.URL.Path + " panicked",
			Err:     pe,
			Task:    c.task.Name(),
			Stack:   pe.Stack,
		})
		if w.failInternal() {
			w.finish()
			return
		}
	}
	if !w.hijacked {
		w.closeAfter = true
		c.state = stateClosed
		c.t.Abort()
	}
}

// next makes the connection ready for its next request once a response is
// complete: it drops what the handler left of the body, then serves a
// pipelined request or waits idle, unless the connection must close.
func (c *conn) next(ctx context.Context) {
	w := &c.ex.resp
	if w.hijacked {
		return
	}
	if c.lost || c.state == stateClosed || c.t.IsClosing() {
		c.releaseBuf()
		return
	}
	keep := !w.closeAfter && !c.closing && ctx.Err() == nil
	if keep && c.ex.body != nil {
		keep = c.ex.body.discard(ctx)
	}
	if !keep || c.lost {
		c.close()
		c.releaseBuf()
		return
	}
	c.ex.body = nil
	c.state = stateIdle
	c.scanned = 0
	c.resumeReading()
	c.readHead()
}

// endTask detaches the request's task from the connection, its response
// complete.
func (c *conn) endTask() {
	c.task, c.started = nil, false
	c.ex.resp.releaseBuf()
	// Nothing of the request stays reachable from an idle connection.
	x := &c.ex
	x.head, x.method, x.target, x.host = "", "", "", ""
	// A handler that kept its ResponseWriter past its return gets errors
	// from it, not the next request's connection.
	x.resp.req, x.resp.header, x.resp.ctx = nil, nil, endedCtx
}

// endedCtx is the ctx of a response whose handler has returned.
var endedCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// taskEnded accounts for the end of a request's task.
func (s *Server) taskEnded() {
	s.tasks--
	s.checkDone()
}

// resumeReading reads again once what is buffered has been consumed.
func (c *conn) resumeReading() {
	if !c.lost && !c.t.IsClosing() && !c.t.IsReading() && c.r1-(c.r0-c.held) < maxBuffered/2 {
		c.t.ResumeReading()
	}
}
