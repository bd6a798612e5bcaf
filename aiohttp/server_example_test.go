package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// A server on the loop serves a ServeMux; the client here is net/http's,
// run in a goroutine the loop waits for without blocking.
func ExampleServe() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		// The handler runs as a task of the loop: it may await.
		if err := asyncio.Sleep(r.Context(), 0); err != nil {
			return
		}
		fmt.Fprintf(w, "Hello, %s! (task %q)", r.PathValue("name"), asyncio.CurrentTask(r.Context()).Name())
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", mux)
		if err != nil {
			return struct{}{}, err
		}
		body := make(chan string)
		go func() {
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Get("http://" + srv.Addr().String() + "/hello/gopher")
			if err != nil {
				body <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			body <- resp.Status + ": " + string(b)
		}()
		b, _, err := asyncio.Recv(ctx, body)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Println(b)
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output: 200 OK: Hello, gopher! (task "GET /hello/gopher")
}
