// Package aiohttptest runs HTTP handlers in tests on the loop's virtual
// clock, over an in-memory network and no socket: what net/http/httptest
// is to net/http, and FastAPI's TestClient or httpx's AsyncClient(app=...)
// are to Python's web frameworks, with time under the test's control.
//
// A Network serves http.Handlers at host names (Serve) and makes
// aiohttp.Sessions whose connections go over it (Session). Between them
// is the real wire: the handler is served by aiohttp's own server, the
// requests are sent by aiohttp's own Session, and the bytes go over the
// connections of a simnet.Network, on the loop. Parsing, keep-alive,
// streaming bodies, the server's limits and timeouts, WebSocket upgrades
// and Shutdown behave as over TCP, but no goroutine or socket is made,
// and the whole exchange runs on the loop's clock. Under asynciotest.Run,
// a handler that sleeps an hour answers at once, an hour later on the
// loop's clock; a client timeout fires at its exact instant; and with
// the network's seed and the loop's schedule seed fixed
// (asynciotest.Explore), a test runs the same way every time.
//
// An application that calls other services is given a session of the
// network, or its Transport as the http.RoundTripper of an http.Client,
// and the fakes of those services are served on the same network, at
// their own host names. The simnet.Network under it (Network.Simnet)
// adds latency, loss and partitions between the hosts.
//
// NewServer is the short form for the common case of one handler, as
// httptest.NewServer is:
//
//	asynciotest.Run(t, func(ctx context.Context) error {
//		srv := aiohttptest.NewServer(ctx, handler)
//		defer srv.Close(ctx)
//		resp, err := srv.Session().Get(ctx, srv.URL+"/items/1")
//		...
//	})
//
// Everything here is called from tasks of the network's loop.
package aiohttptest
