package aiohttp

import (
	"context"
	"net/http"

	"github.com/asyncio-go/asyncio"
)

// Threaded returns a handler that runs h on the loop's executor
// (asyncio.ToThread), as Starlette runs a plain "def" endpoint in its
// thread pool: for handlers that block, on a mutex, a syscall, a database
// driver that knows nothing of the loop. The request's task waits for h
// without holding the loop; the ResponseWriter and the request body work
// from h's goroutine, each call handed to the loop.
//
// If the request's ctx is cancelled, h sees r.Context() end, and the task
// still waits for h to return, since h is using the connection.
func Threaded(h http.Handler) http.Handler { return threaded{h} }

type threaded struct{ h http.Handler }

func (t threaded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !asyncio.InTask(ctx) {
		t.h.ServeHTTP(w, r)
		return
	}
	_, _ = asyncio.ToThread(context.WithoutCancel(ctx), func() (struct{}, error) {
		t.h.ServeHTTP(w, r)
		return struct{}{}, nil
	})
}
