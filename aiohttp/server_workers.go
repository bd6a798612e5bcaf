package aiohttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/asyncio-go/asyncio"
)

// serverGroup is what runs a Server made with Workers(n > 1): one Server
// per worker, each on its worker's loop and listening on the same address
// with ReusePort, and the asyncio.Workers that runs those loops. Each
// worker's Server is used only on its own loop (shared nothing); the group
// reaches the others' with Loop.CallSoonThreadsafe and learns that they
// have ended through done.
type serverGroup struct {
	// servers holds each worker's Server, by worker. Worker 0's is set
	// before the workers start, the others' by Serve as their workers
	// report them on ready; Serve returns once all are there.
	servers []*Server
	// ready carries what each worker other than 0 got from listening. It
	// is buffered for every worker, so that no worker waits to send, and
	// closed once the workers have ended: no send can follow.
	ready chan workerListening
	// done is set once every worker has ended: its server is closed or
	// shut down, and its loop, other than worker 0's, closed.
	done *asyncio.Event
	// err is the workers' failures (asyncio.Workers.Wait), written
	// before done is set.
	err error

	// What the workers other than 0 listen with: addr has the port that
	// worker 0 got.
	network, addr string
	handler       http.Handler
	cfg           serverConfig
	sockOpts      []asyncio.ServerOption
}

// workerListening is what a worker got from listening.
type workerListening struct {
	worker int
	srv    *Server
	err    error
}

// serveWorkers is Serve for Workers(n) with n other than 1. Worker 0's
// server listens first, in the caller's task, so that the others listen
// on the port it got; a task of the caller's loop then runs the workers
// for as long as they serve (run), which is why the server, as with one
// loop, outlives the caller's task.
func serveWorkers(ctx context.Context, network, addr string, h http.Handler, cfg serverConfig, sockOpts []asyncio.ServerOption) (*Server, error) {
	n := cfg.workers
	switch {
	case n < 1:
		return nil, fmt.Errorf("aiohttp: Workers needs at least 1 worker, got %d", n)
	case network == "unix":
		return nil, ErrWorkersNotSupported
	}
	if _, ok := asyncio.RunningLoop(ctx).Clock().(*asyncio.VirtualClock); ok {
		// Refused before anything listens: asyncio.StartWorkers would
		// refuse it too, but only after worker 0's server listened.
		return nil, asyncio.ErrWorkersVirtualClock
	}
	sockOpts = append(sockOpts[:len(sockOpts):len(sockOpts)], asyncio.ReusePort())
	first, err := listen(ctx, network, addr, h, cfg, sockOpts)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		first.close()
		return nil, err
	}
	_, port, err := net.SplitHostPort(first.addr.String())
	if err != nil {
		first.close()
		return nil, err
	}
	g := &serverGroup{
		servers:  make([]*Server, n),
		ready:    make(chan workerListening, n),
		done:     asyncio.NewEvent(),
		network:  network,
		addr:     net.JoinHostPort(host, port),
		handler:  h,
		cfg:      cfg,
		sockOpts: sockOpts,
	}
	g.servers[0] = first
	first.group = g
	runner := asyncio.Spawn(ctx, g.run, asyncio.Name("aiohttp.Server workers"))
	for listening := 1; listening < n; {
		r, ok, err := asyncio.Recv(ctx, g.ready)
		if err != nil {
			runner.Cancel()
			g.done.Wait(context.WithoutCancel(ctx))
			return nil, err
		}
		if !ok || r.err != nil {
			// The workers end together once one fails.
			g.done.Wait(context.WithoutCancel(ctx))
			if g.err != nil {
				return nil, g.err
			}
			return nil, errors.New("aiohttp: the workers ended before they all listened")
		}
		g.servers[r.worker] = r.srv
		listening++
	}
	return first, nil
}

// run runs the workers until they all end, as the body of a task of
// worker 0's loop: the caller of asyncio.StartWorkers, whose cancellation
// (by Run's end, say) closes every worker.
func (g *serverGroup) run(ctx context.Context) (struct{}, error) {
	w, err := asyncio.StartWorkers(ctx, len(g.servers), g.serve)
	if err == nil {
		err = w.Wait(ctx)
	}
	// Worker 0's main, which owns its server, does not run if the
	// workers are cancelled before it starts.
	if first := g.servers[0]; !first.done.IsSet() {
		first.close()
		first.done.Wait(context.WithoutCancel(ctx))
	}
	g.err = err
	close(g.ready)
	g.done.Set()
	return struct{}{}, nil
}

// serve is the main of a worker: a worker other than 0 listens, on its
// own loop, and reports its server on ready; then each waits until its
// server is done. Cancelled (by a failure of another worker, or by run's
// cancellation), a worker closes its server.
func (g *serverGroup) serve(ctx context.Context, worker int) error {
	s := g.servers[0]
	if worker > 0 {
		var err error
		s, err = listen(ctx, g.network, g.addr, g.handler, g.cfg, g.sockOpts)
		g.ready <- workerListening{worker, s, err}
		if err != nil {
			return fmt.Errorf("aiohttp: worker %d: %w", worker, err)
		}
	}
	if err := s.done.Wait(ctx); err != nil {
		s.close()
		s.done.Wait(context.WithoutCancel(ctx))
	}
	return nil
}

// shutdown is Shutdown for every worker, in parallel, each on its loop.
func (g *serverGroup) shutdown(ctx context.Context) error {
	g.onEach((*Server).beginShutdown)
	err := g.done.Wait(ctx)
	if err == nil {
		return g.err
	}
	g.onEach((*Server).abortAll)
	if werr := g.done.Wait(context.WithoutCancel(ctx)); werr != nil {
		return werr
	}
	return errors.Join(err, g.err)
}

// close is Close for every worker, each on its loop: so it is safe from
// any goroutine, a handler on any worker included.
func (g *serverGroup) close() error {
	g.onEach((*Server).close)
	return nil
}

// wait is Wait for every worker.
func (g *serverGroup) wait(ctx context.Context) error {
	if err := g.done.Wait(ctx); err != nil {
		return err
	}
	return g.err
}

// onEach runs fn with each worker's server, on the server's loop. A
// worker that has ended is left alone: its loop is closed, and
// CallSoonThreadsafe schedules nothing there.
func (g *serverGroup) onEach(fn func(*Server)) {
	for _, s := range g.servers {
		s.loop.CallSoonThreadsafe(func() { fn(s) })
	}
}
