//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// apiServer serves bench/run.sh's api-server endpoint (apihandler.go)
// until SIGTERM: impl "typed" (package api) or "hand" (a plain handler),
// on package aiohttp's server, or on net/http's if nethttp.
func apiServer(addr, impl string, nethttp bool) error {
	var h http.Handler
	switch impl {
	case "typed":
		h = apiTyped()
	case "hand":
		h = apiHand()
	default:
		return fmt.Errorf("api-server: unknown -impl %q (typed or hand)", impl)
	}
	if nethttp {
		// SIGTERM's default action ends the process, as bench/peers/gostd's servers.
		return http.ListenAndServe(addr, h)
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		main := asyncio.CurrentTask(ctx)
		asyncio.RunningLoop(ctx).AddSignalHandler(syscall.SIGTERM, func() { main.Cancel() })
		srv, err := aiohttp.Serve(ctx, addr, h)
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
