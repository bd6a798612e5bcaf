//go:build unix

package asyncio

import "context"

// A ConnOption configures OpenConnection.
type ConnOption func(*connConfig)

type connConfig struct {
	limit int
}

// WithReadLimit sets the limit of the connection's StreamReader (default
// DefaultStreamLimit).
func WithReadLimit(n int) ConnOption { return func(c *connConfig) { c.limit = n } }

// WithStreamLimit sets the limit of the StreamReader of every connection
// StartServer accepts (default DefaultStreamLimit).
func WithStreamLimit(n int) ServerOption { return func(c *serverConfig) { c.streamLimit = n } }

// OpenConnection connects to addr ("host:port") over TCP and returns the
// connection's reader and writer (asyncio.open_connection).
func OpenConnection(ctx context.Context, addr string, opts ...ConnOption) (*StreamReader, *StreamWriter, error) {
	var cfg connConfig
	for _, o := range opts {
		o(&cfg)
	}
	made := NewFuture[*StreamWriter](ctx)
	p := newStreamProtocol(cfg.limit, func(_ *StreamReader, w *StreamWriter) { made.SetResult(w) })
	tr, _, err := CreateConnection(ctx, "tcp", addr, func() Protocol { return p })
	if err != nil {
		return nil, nil, err
	}
	// ConnectionMade is scheduled, not inline: wait for it.
	w, err := made.Wait(ctx)
	if err != nil {
		tr.Abort()
		return nil, nil, err
	}
	return p.reader, w, nil
}

// StartServer listens on addr ("host:port") for TCP connections and runs
// handler as a new task for each, with the connection's reader and writer
// (asyncio.start_server). The handler's ctx carries ctx's values. When the
// handler returns, the connection is closed (as net/http does, and unlike
// asyncio, which leaves that to the handler); an error it returns other
// than a cancellation, or a panic, is reported to the loop's exception
// handler, and the server goes on serving.
func StartServer(ctx context.Context, addr string, handler func(ctx context.Context, r *StreamReader, w *StreamWriter) error, opts ...ServerOption) (*Server, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	var cfg serverConfig
	for _, o := range opts {
		o(&cfg)
	}
	factory := func() Protocol {
		return newStreamProtocol(cfg.streamLimit, func(r *StreamReader, w *StreamWriter) {
			spawn(l, ctx, false, func(hctx context.Context) (struct{}, error) {
				defer w.Close()
				defer func() {
					if v := recover(); v != nil {
						l.CallExceptionHandler(ExceptionContext{
							Message: "stream handler panicked; its connection is closed",
							Err:     &PanicError{Value: v, Task: "stream handler", Stack: stack()},
						})
					}
				}()
				if err := handler(hctx, r, w); err != nil && !isCancelled(err) {
					l.CallExceptionHandler(ExceptionContext{Message: "stream handler failed", Err: err})
				}
				return struct{}{}, nil
			}, []TaskOption{Name("stream handler")})
		})
	}
	return CreateServer(ctx, "tcp", addr, factory, opts...)
}
