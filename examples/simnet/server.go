package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// serve starts the key-value server on host: one line per request, "SET
// key value" or "GET key", one line per answer, "OK", "VALUE value" or
// "MISSING". The store is shared by every connection's handler; they run
// on one loop, so it needs no lock.
func serve(ctx context.Context, host *simnet.Host, logf func(string, ...any)) (*simnet.Listener, error) {
	store := map[string]string{}
	return host.StartServer(ctx, serverAddr, func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		peer := w.Transport().RemoteAddr()
		logf("server: connection from %v", peer)
		for {
			line, err := asyncio.WaitFor(ctx, idleTimeout, r.ReadLine)
			switch {
			case errors.Is(err, asyncio.ErrTimeout):
				logf("server: %v idle for %v, closing it", peer, idleTimeout)
				return nil
			case errors.Is(err, io.EOF):
				logf("server: %v closed its side", peer)
				return nil
			case err != nil:
				logf("server: %v: %v", peer, err)
				return nil
			}
			if err := w.Write([]byte(answer(store, strings.TrimSpace(string(line))) + "\n")); err != nil {
				return nil // the connection is closing: nobody to answer
			}
		}
	})
}

// answer carries out one request on store.
func answer(store map[string]string, req string) string {
	f := strings.Fields(req)
	switch {
	case len(f) == 3 && f[0] == "SET":
		store[f[1]] = f[2]
		return "OK"
	case len(f) == 2 && f[0] == "GET":
		if v, ok := store[f[1]]; ok {
			return "VALUE " + v
		}
		return "MISSING"
	}
	return "ERROR bad request"
}
