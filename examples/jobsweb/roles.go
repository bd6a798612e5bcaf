package main

import (
	"context"
	"errors"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
)

// shutdownTime bounds a role's graceful shutdown: the requests in flight
// (a GET may wait up to a minute for a result), or the jobs in flight.
const shutdownTime = 10 * time.Second

// serveWeb is the web role: it serves the API on listen until ctx ends,
// calling ready with the address it listens on, then shuts down
// gracefully: no new connections, the requests in flight answered, the
// jobs client closed.
func serveWeb(ctx context.Context, natsURL, queue, listen string, ready func(addr string)) error {
	c, err := jobs.Connect(ctx, natsURL)
	if err != nil {
		return err
	}
	app := newApp(c, queue)
	srv, err := app.Serve(ctx, listen)
	if err != nil {
		return errors.Join(err, c.Close(context.WithoutCancel(ctx)))
	}
	ready(srv.Addr().String())
	srv.Wait(ctx) // until ctx ends
	ctx = context.WithoutCancel(ctx)
	err = asyncio.Timeout(ctx, shutdownTime, func(ctx context.Context) error {
		return errors.Join(srv.Shutdown(ctx), app.Shutdown(ctx))
	})
	return errors.Join(err, c.Close(ctx))
}

// work is the worker role: it runs thumbnail jobs until ctx ends, then
// shuts down gracefully (jobs.Worker.Run: no new jobs, those in flight
// finish), and returns how many jobs it ran.
func work(ctx context.Context, natsURL, queue string, ready func()) (int, error) {
	c, err := jobs.Connect(ctx, natsURL)
	if err != nil {
		return 0, err
	}
	defer c.Close(context.WithoutCancel(ctx))
	w := jobs.NewWorker(c, queue, jobs.Concurrency(4), jobs.ShutdownGrace(shutdownTime))
	ran := 0 // the job tasks share the loop: no lock needed
	jobs.Register(w, thumbnailFunc, func(ctx context.Context, req ThumbnailRequest) (Thumbnail, error) {
		ran++
		return makeThumbnail(ctx, req)
	})
	ready()
	err = w.Run(ctx)
	return ran, err
}
