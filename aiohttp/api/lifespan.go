package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// Lifespan registers a startup hook (FastAPI's lifespan, and its
// on_event("startup") and ("shutdown")): Start runs the hooks in the
// order registered, and the stop function a hook returns, if not nil,
// runs at Shutdown, in the reverse order, as deferred calls do.
//
//	app.Lifespan(func(ctx context.Context) (func(context.Context) error, error) {
//		pool, err := db.Open(ctx, url)
//		if err != nil {
//			return nil, err
//		}
//		shop.pool = pool
//		return pool.Close, nil
//	})
//
// A hook that returns an error stops Start: the hooks after it do not
// run, and the stops of those before it do, so that a failed start
// leaves nothing open.
func (a *App) Lifespan(start func(ctx context.Context) (stop func(ctx context.Context) error, err error)) {
	a.hooks = append(a.hooks, start)
}

// Start runs the startup hooks in the task of ctx, in order. If one
// fails, Start runs the stops of those before it and returns the error;
// the App is then not started, and can be started again.
func (a *App) Start(ctx context.Context) error {
	if a.started {
		return errors.New("api: Start of an App started already")
	}
	for i, hook := range a.hooks {
		stop, err := hook(ctx)
		if err != nil {
			err = fmt.Errorf("api: startup hook %d of %d: %w", i+1, len(a.hooks), err)
			return errors.Join(err, a.stopAll(ctx))
		}
		if stop != nil {
			a.stops = append(a.stops, stop)
		}
	}
	a.started = true
	return nil
}

// Shutdown ends the App after its server has stopped taking requests:
// it waits for the jobs that operations left (AfterResponse), cancelling
// those still running when ctx ends, then runs the stops of the startup
// hooks, last started first, each even if one before it failed. It
// returns what went wrong, joined.
func (a *App) Shutdown(ctx context.Context) error {
	err := a.jobs.wait(ctx)
	a.started = false
	return errors.Join(err, a.stopAll(ctx))
}

func (a *App) stopAll(ctx context.Context) error {
	var errs []error
	for i := len(a.stops) - 1; i >= 0; i-- {
		if err := a.stops[i](ctx); err != nil {
			errs = append(errs, fmt.Errorf("api: shutdown hook: %w", err))
		}
	}
	a.stops = nil
	return errors.Join(errs...)
}

// Serve starts the App and serves it on addr with the module's server;
// the caller shuts both down, the server first:
//
//	srv.Shutdown(ctx) // no new requests; those in flight finish
//	app.Shutdown(ctx) // their jobs finish; the pool closes
//
// If Start fails, Serve returns its error without listening; if
// listening fails, the App is shut down again.
func (a *App) Serve(ctx context.Context, addr string, opts ...aiohttp.ServerOption) (*aiohttp.Server, error) {
	if err := a.Start(ctx); err != nil {
		return nil, err
	}
	srv, err := aiohttp.Serve(ctx, addr, a, opts...)
	if err != nil {
		return nil, errors.Join(err, a.Shutdown(ctx))
	}
	return srv, nil
}

// Run is Serve until ctx ends (uvicorn.run): then it shuts the server and
// the App down gracefully, together given the App's ShutdownTimeout, and
// returns nil if all went well. Run the program with
// asyncio.WithInterruptHandling for Ctrl-C to end ctx.
func (a *App) Run(ctx context.Context, addr string, opts ...aiohttp.ServerOption) error {
	srv, err := a.Serve(ctx, addr, opts...)
	if err != nil {
		return err
	}
	a.cfg.logger.InfoContext(ctx, "api: serving", "addr", srv.Addr().String())
	srv.Wait(ctx) // until ctx ends (or the server is closed)
	ctx = context.WithoutCancel(ctx)
	var serr, aerr error
	asyncio.Timeout(ctx, a.cfg.shutdownTimeout, func(ctx context.Context) error {
		serr = srv.Shutdown(ctx)
		aerr = a.Shutdown(ctx)
		return nil
	})
	return errors.Join(serr, aerr)
}
