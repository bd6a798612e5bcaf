//go:build linux

package main

import (
	"context"
	"errors"
	"net/http"
	"syscall"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// serveUntilTerm serves h on addr with package aiohttp's server until
// SIGTERM, which bench/run.sh sends at the end of a workload; then it
// returns nil, so that main can write its -cpuprofile.
func serveUntilTerm(addr string, h http.Handler, opts ...aiohttp.ServerOption) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		main := asyncio.CurrentTask(ctx)
		asyncio.RunningLoop(ctx).AddSignalHandler(syscall.SIGTERM, func() { main.Cancel() })
		srv, err := aiohttp.Serve(ctx, addr, h, opts...)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, srv.Wait(ctx)
	}, asyncio.WithInterruptHandling(false))
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
