// Package aiohttp is Python's aiohttp for Go: an HTTP/1.1 client and server
// that run on an asyncio event loop, on the loop's own transports, while
// speaking net/http's interfaces. Handlers are plain http.Handlers, so
// http.ServeMux, its patterns and the middleware written for net/http work
// unchanged.
//
// # Server
//
// Serve listens on an address and serves a handler there in the background
// of the loop, until Shutdown or Close:
//
//	srv, err := aiohttp.Serve(ctx, "127.0.0.1:8080", mux)
//	...
//	err = srv.Shutdown(ctx)
//
// Each connection is a protocol on the loop, not a goroutine: it reads into
// a small buffer and parses request heads as bytes arrive, without copying.
// Only once a whole head is there does the server start a task, named after
// the request ("GET /items/7"), that runs the handler; r.Context() is that
// task's ctx, so the handler may await anything the loop offers. An idle
// keep-alive connection holds no task and no buffer.
//
// A handler runs on the loop: it must not block it. Reading the request body
// and writing the response suspend the handler's task while the connection
// has nothing to give or too much to send. A handler that must block (a
// database driver, a mutex, a long computation) is wrapped in Threaded and
// runs on the loop's executor, as Starlette runs a plain "def" endpoint.
// The request body, the ResponseWriter and a hijacked connection are used
// from the handler's task or from plain goroutines, whose calls are handed
// to the loop; another task of the loop must not use them, since handing a
// call to the loop from a task would block it. A goroutine may use them
// while the handler's task waits, not while it runs (see asyncio.InTask):
// hand them over with asyncio.ToThread, which starts its function once the
// task waits, as Threaded does.
//
// A server runs on one loop, and so on one core, unless Serve is given
// Workers(n): it then serves the address on n loops, each on an OS thread
// of its own with a listening socket of its own on the same port
// (SO_REUSEPORT), the caller's loop as worker 0. The kernel spreads the
// connections over the loops, and each connection stays on its loop; the
// one Server value that Serve returns shuts them all down. Handlers on
// different workers run in parallel, so a handler shared by workers must
// be safe for concurrent use, as a net/http handler must.
//
// The server keeps to net/http's behaviour where a handler can see it:
// keep-alive and pipelining per RFC 9112, Content-Length for small complete
// responses and chunked encoding otherwise, Content-Type sniffing, the Date
// header, trailers, Expect: 100-continue, 1xx informational responses,
// http.Flusher, http.Hijacker and http.ResponseController. Malformed and
// hostile requests are refused with the status net/http would give (400,
// 408, 414, 431, 501, 505) and the connection closed. A panicking handler
// gets a 500 if nothing was sent yet, is reported to the loop's exception
// handler, and the server serves on.
//
// NewServer makes a server that does not listen: it serves the connections
// another listener accepts and connects to Server.ProtocolFactory's
// protocols, such as those of an in-memory simnet network. Package
// aiohttptest serves handlers so in tests, on the virtual clock.
//
// # Client
//
// A Session is aiohttp's ClientSession: it makes requests over a pool of
// keep-alive connections on the loop of its first request.
//
//	session := aiohttp.NewSession()
//	defer session.Close(ctx)
//	resp, err := session.Get(ctx, "http://127.0.0.1:8080/items/7")
//	...
//	var item Item
//	err = resp.JSON(ctx, &item)
//
// A request suspends the task that makes it, so a thousand requests are a
// thousand tasks, not a thousand goroutines. The pool bounds the
// connections in total and per host, reuses idle ones and closes them
// after KeepAliveTimeout; names are resolved off the loop and cached.
// Timeouts are aiohttp's ClientTimeout, on the loop's clock. Redirects,
// cookies and proxies follow net/http's rules, and gzip, deflate, brotli and
// zstd responses are decoded.
//
// Session.Transport makes the session the http.RoundTripper of any
// *http.Client: every Go library that takes one (cloud SDKs, API clients)
// then runs cooperatively inside tasks. Called from a plain goroutine, the
// same transport hands the request to the session's loop and blocks that
// goroutine, as the loop's other primitives do. The Dial option replaces
// how a session connects, to reach servers on another network than TCP.
//
// # Options
//
// Options follow the root package's rule: an option named after a keyword
// of aiohttp (Limit, LimitPerHost, KeepAliveTimeout, TTLDNSCache,
// TraceConfigs, TrustEnv, Timeout, MaxRedirects) or of the server and
// transport a Go programmer knows (ReadHeaderTimeout, MaxHeaderBytes,
// ExpectContinueTimeout) has that name, TLS
// standing for ssl; others start with With. A ConnOption (TLS,
// KeepAliveTimeout) configures connections and is given to Serve and to
// NewSession alike; an Option is given to NewSession for every request
// and to one request, where it wins.
package aiohttp
