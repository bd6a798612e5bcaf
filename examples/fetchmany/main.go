// Fetchmany ports the seed tutorials' first real program: fetch many URLs
// at once with one aiohttp.ClientSession, gathering the results. As the
// tutorials advise for real sites, at most three requests are in flight at
// a time (a semaphore) and each has a timeout; a failure is reported with
// its URL and does not stop the others (gather with return_exceptions).
//
// The URLs are served by a server the program starts itself on a loopback
// port, so it runs offline: /delay/{ms} answers after ms milliseconds,
// /json with a JSON document, /status/{code} with that status.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

const (
	inFlight   = 3               // requests at a time
	perRequest = 1 * time.Second // each request's timeout
)

// paths are the URLs to fetch, relative to the local server.
var paths = []string{
	"/delay/300",
	"/json",
	"/status/500",
	"/delay/2000", // slower than perRequest: times out
	"/delay/100",
	"/delay/600",
	"/json",
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fetchmany:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", routes())
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Shutdown(ctx)
		base := "http://" + srv.Addr().String()

		session := aiohttp.NewSession()
		defer session.Close(ctx)
		sem := asyncio.NewSemaphore(inFlight)
		fetches := make([]func(context.Context) (string, error), len(paths))
		for i, p := range paths {
			fetches[i] = func(ctx context.Context) (string, error) {
				return fetch(ctx, session, sem, base+p)
			}
		}
		start := asyncio.RunningLoop(ctx).Time()
		results, err := asyncio.GatherSettled(ctx, fetches...)
		if err != nil {
			return struct{}{}, err
		}
		for i, r := range results {
			if r.Err != nil {
				fmt.Fprintf(w, "%-12s failed: %v\n", paths[i], r.Err)
				continue
			}
			fmt.Fprintf(w, "%-12s %s\n", paths[i], r.Value)
		}
		took := asyncio.RunningLoop(ctx).Time() - start
		fmt.Fprintf(w, "%d URLs, %d at a time, in %v\n", len(paths), inFlight, took.Round(100*time.Millisecond))
		return struct{}{}, nil
	}, opts...)
	return err
}

// fetch gets url once a place among the requests in flight is free, and
// describes the response: its status and length, or why it failed.
func fetch(ctx context.Context, session *aiohttp.Session, sem *asyncio.Semaphore, url string) (string, error) {
	if err := sem.Acquire(ctx); err != nil {
		return "", err
	}
	defer sem.Release()
	var status string
	err := asyncio.Timeout(ctx, perRequest, func(ctx context.Context) error {
		resp, err := session.Get(ctx, url)
		if err != nil {
			return err
		}
		defer resp.Release()
		body, err := resp.Bytes(ctx)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		status = fmt.Sprintf("%d, %d bytes", resp.StatusCode, len(body))
		return nil
	})
	if errors.Is(err, asyncio.ErrTimeout) {
		return "", fmt.Errorf("no answer within %v", perRequest)
	}
	return status, err
}

// routes is the local stand-in for the sites the tutorials fetch.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /delay/{ms}", func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.Atoi(r.PathValue("ms"))
		if err != nil {
			http.Error(w, "bad delay", http.StatusBadRequest)
			return
		}
		if err := asyncio.Sleep(r.Context(), time.Duration(ms)*time.Millisecond); err != nil {
			return // the client left
		}
		fmt.Fprintf(w, "waited %d ms\n", ms)
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"slideshow": map[string]any{"title": "Sample Slide Show", "slides": 2}})
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 200 || code > 599 {
			http.Error(w, "bad status", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	return mux
}
