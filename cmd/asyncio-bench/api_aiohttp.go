//go:build linux

package main

import (
	"context"
	"fmt"
	"net/http"
	"os/signal"
	"syscall"

	"github.com/asyncio-go/asyncio/internal/apibench"
)

// apiServer serves bench/run.sh's api-server endpoint (internal/apibench)
// until SIGTERM: impl "typed" (package api) or "hand" (a plain handler),
// on package aiohttp's server, or on net/http's if nethttp.
func apiServer(addr, impl string, nethttp bool) error {
	var h http.Handler
	switch impl {
	case "typed":
		h = apibench.Typed()
	case "hand":
		h = apibench.Hand()
	default:
		return fmt.Errorf("api-server: unknown -impl %q (typed or hand)", impl)
	}
	if nethttp {
		return netHTTPServe(addr, h)
	}
	return serveUntilTerm(addr, h)
}

// netHTTPServe serves h with net/http until SIGTERM, then returns, so
// that main can write its -cpuprofile.
func netHTTPServe(addr string, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: h}
	// The goroutine ends when the server has closed, which Close below
	// makes it do once SIGTERM comes.
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		srv.Close()
		<-done
		return nil
	}
}
