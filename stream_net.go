package asyncio

import "context"

// WithStreamLimit sets the limit of the StreamReader of every connection
// StartServer accepts (default DefaultStreamLimit).
func WithStreamLimit(n int) ServerOption { return func(c *serverConfig) { c.streamLimit = n } }

// OpenConnection connects to addr ("host:port") over TCP and returns the
// connection's reader and writer (asyncio.open_connection). The options
// are CreateConnection's, and WithReadLimit.
func OpenConnection(ctx context.Context, addr string, opts ...ConnOption) (*StreamReader, *StreamWriter, error) {
	return openStream(ctx, "tcp", addr, opts)
}

// OpenUnixConnection connects to the Unix socket at path and returns the
// connection's reader and writer (asyncio.open_unix_connection).
func OpenUnixConnection(ctx context.Context, path string, opts ...ConnOption) (*StreamReader, *StreamWriter, error) {
	return openStream(ctx, "unix", path, opts)
}

func openStream(ctx context.Context, network, addr string, opts []ConnOption) (*StreamReader, *StreamWriter, error) {
	var cfg connConfig
	for _, o := range opts {
		o(&cfg)
	}
	p := newStreamProtocol(cfg.limit, nil)
	if _, _, err := CreateConnection(ctx, network, addr, func() Protocol { return p }, opts...); err != nil {
		return nil, nil, err
	}
	return p.reader, p.writer, nil
}

// StartServer listens on addr ("host:port") for TCP connections and runs
// handler as a new task for each, with the connection's reader and writer
// (asyncio.start_server). The handler's ctx carries ctx's values. When the
// handler returns, the connection is closed (as net/http does, and unlike
// asyncio, which leaves that to the handler); an error it returns other
// than a cancellation, or a panic, is reported to the loop's exception
// handler, and the server goes on serving.
func StartServer(ctx context.Context, addr string, handler func(ctx context.Context, r *StreamReader, w *StreamWriter) error, opts ...ServerOption) (*Server, error) {
	return startStreamServer(ctx, "tcp", addr, handler, opts)
}

// StartUnixServer is StartServer on a Unix socket at path
// (asyncio.start_unix_server); see CreateServer for the socket file.
func StartUnixServer(ctx context.Context, path string, handler func(ctx context.Context, r *StreamReader, w *StreamWriter) error, opts ...ServerOption) (*Server, error) {
	return startStreamServer(ctx, "unix", path, handler, opts)
}

func startStreamServer(ctx context.Context, network, addr string, handler func(ctx context.Context, r *StreamReader, w *StreamWriter) error, opts []ServerOption) (*Server, error) {
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
	return CreateServer(ctx, network, addr, factory, opts...)
}
