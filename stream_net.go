package asyncio

import (
	"context"
	"errors"
	"io"
)

// OpenConnection connects to addr ("host:port") over TCP and returns the
// connection's reader and writer (asyncio.open_connection). The options
// are CreateConnection's, and Limit.
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
		o.applyConn(&cfg)
	}
	p := newStreamProtocol(cfg.limit, nil)
	if _, _, err := CreateConnection(ctx, network, addr, func() Protocol { return p }, opts...); err != nil {
		return nil, nil, err
	}
	return &p.reader, &p.writer, nil
}

// StartServer listens on addr ("host:port") for TCP connections and runs
// handler as a new task for each, with the connection's reader and writer
// (asyncio.start_server). The handler's ctx carries ctx's values. When the
// handler returns, the connection is closed (as net/http does, and unlike
// asyncio, which leaves that to the handler); an error it returns other
// than a cancellation or the stream's io.EOF, or a panic, is reported to
// the loop's exception handler, and the server goes on serving. A handler
// that reads until an error may so return the error as it is: the client
// leaving is no failure.
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
		o.applyServer(&cfg)
	}
	s := &streamServer{loop: l, ctx: ctx, handler: handler, taskOpts: []TaskOption{Name("stream handler")}}
	factory := func() Protocol { return newStreamProtocol(cfg.streamLimit, s) }
	return CreateServer(ctx, network, addr, factory, opts...)
}

// streamServer is what the connections of a stream server share: each
// holds it instead of closures of its own.
type streamServer struct {
	loop     *Loop
	ctx      context.Context // the handlers' ctx takes its values
	handler  func(ctx context.Context, r *StreamReader, w *StreamWriter) error
	taskOpts []TaskOption
}

// startHandler runs the handler of a new connection as a task.
//
// The handler's task waits, most of its life, in a read of an idle
// connection, and the frames below that wait decide whether its goroutine
// keeps its first, 2 KiB stack (see task_stackdepth_test.go): the task's body
// is therefore the closure itself (a method value would add a wrapper's
// frame), and what is rare, a failure or a panic, is out of line.
func (s *streamServer) startHandler(p *streamProtocol) {
	spawn(s.loop, s.ctx, false, func(ctx context.Context) (struct{}, error) {
		defer p.handlerEnded()
		if err := p.srv.handler(ctx, &p.reader, &p.writer); err != nil {
			p.handlerFailed(err)
		}
		return struct{}{}, nil
	}, s.taskOpts)
}

// handlerEnded runs deferred when a connection's handler ends: it reports
// a panic, and closes the connection.
func (p *streamProtocol) handlerEnded() {
	if v := recover(); v != nil {
		p.srv.loop.CallExceptionHandler(ExceptionContext{
			Message: "stream handler panicked; its connection is closed",
			Err:     &PanicError{Value: v, Task: "stream handler", Stack: stack()},
		})
	}
	p.writer.Close()
}

// handlerFailed reports the error a connection's handler returned, unless
// it is a cancellation or the end of the stream.
//
//go:noinline
func (p *streamProtocol) handlerFailed(err error) {
	if !isCancelled(err) && !errors.Is(err, io.EOF) {
		p.srv.loop.CallExceptionHandler(ExceptionContext{Message: "stream handler failed", Err: err})
	}
}
