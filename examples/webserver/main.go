// Webserver ports the seed tutorials' aiohttp server: JSON routes, a
// streaming response and a middleware, written as plain net/http handlers
// that await (asyncio.Sleep here, a database or another service in real
// code) with the request's context. Every request runs as a task of the
// loop, named after its method and path, so `asyncio ps` shows it.
//
// The routes are the tutorial's: GET /hello?name=NAME answers with a
// greeting, POST /process echoes a JSON body after a second of simulated
// work, GET /stream sends ten chunks half a second apart. The middleware
// times every request and sends the time in an X-Process-Time header.
//
// Run as it is, the program starts the server, calls each route with the
// aiohttp client, prints what came back and stops. With -serve it keeps
// serving on -addr for curl or a browser until interrupted:
//
//	go run ./examples/webserver -serve -addr 127.0.0.1:8080
//	curl 'http://127.0.0.1:8080/hello?name=Go'
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func main() {
	serve := flag.Bool("serve", false, "keep serving until interrupted instead of running the demo client")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	var err error
	if *serve {
		err = serveForever(*addr)
	} else {
		err = run(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webserver:", err)
		os.Exit(1)
	}
}

// routes is the tutorial's application, wrapped in its middleware.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", handleHello)
	mux.HandleFunc("POST /process", handleProcess)
	mux.HandleFunc("GET /stream", handleStream)
	return timed(mux)
}

// handleHello greets the name in the query, or the world.
func handleHello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Hello, " + name + "!"})
}

// handleProcess echoes a JSON body after simulated processing.
func handleProcess(w http.ResponseWriter, r *http.Request) {
	var data any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&data); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if err := asyncio.Sleep(r.Context(), time.Second); err != nil {
		return // the client left
	}
	writeJSON(w, http.StatusOK, map[string]any{"received": data, "status": "processed"})
}

// handleStream sends ten chunks, flushing each as it is written.
func handleStream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	flusher := w.(http.Flusher)
	for i := range 10 {
		fmt.Fprintf(w, "Chunk %d\n", i)
		flusher.Flush()
		if err := asyncio.Sleep(r.Context(), 500*time.Millisecond); err != nil {
			return
		}
	}
}

// timed is the middleware: it measures each request on the loop's clock
// and announces the time as a trailer-free header, set before the handler
// writes (a header set after the first write would be too late).
func timed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loop := asyncio.RunningLoop(r.Context())
		start := loop.Time()
		next.ServeHTTP(&timingWriter{ResponseWriter: w, start: start, now: loop.Time}, r)
	})
}

// timingWriter sets X-Process-Time when the handler starts its response.
type timingWriter struct {
	http.ResponseWriter
	start   time.Duration
	now     func() time.Duration
	written bool
}

func (w *timingWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		w.Header().Set("X-Process-Time", (w.now() - w.start).Round(time.Millisecond).String())
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *timingWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer (Flush).
func (w *timingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes http.Flusher through the middleware.
func (w *timingWriter) Flush() {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	w.ResponseWriter.(http.Flusher).Flush()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// run starts the server and calls each route once with the aiohttp client.
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

		resp, err := session.Get(ctx, base+"/hello?name=asyncio")
		if err != nil {
			return struct{}{}, err
		}
		text, err := resp.Text(ctx)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "GET /hello: %d %s", resp.StatusCode, text)

		resp, err = session.Post(ctx, base+"/process", aiohttp.JSONBody(map[string]int{"order": 42}))
		if err != nil {
			return struct{}{}, err
		}
		var processed struct {
			Received map[string]int `json:"received"`
			Status   string         `json:"status"`
		}
		if err := resp.JSON(ctx, &processed); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "POST /process: %d %v %s after %s\n", resp.StatusCode, processed.Received, processed.Status, resp.Header.Get("X-Process-Time"))

		resp, err = session.Get(ctx, base+"/stream")
		if err != nil {
			return struct{}{}, err
		}
		defer resp.Release()
		start := asyncio.RunningLoop(ctx).Time()
		lines := bufio.NewScanner(resp.Reader(ctx))
		for lines.Scan() {
			at := asyncio.RunningLoop(ctx).Time() - start
			fmt.Fprintf(w, "GET /stream: %-8s at %v\n", lines.Text(), at.Round(100*time.Millisecond))
		}
		return struct{}{}, lines.Err()
	}, opts...)
	return err
}

// serveForever serves on addr until the process is interrupted.
func serveForever(addr string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, addr, routes())
		if err != nil {
			return struct{}{}, err
		}
		fmt.Printf("serving on http://%s (Ctrl-C stops)\n", srv.Addr())
		return struct{}{}, srv.Wait(ctx)
	})
	return err
}
