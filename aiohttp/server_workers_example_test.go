//go:build unix && !solaris && !illumos

package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// Two loops, each on a thread of its own, serve one port. The handler
// answers with the ID of the loop it runs on; a net/http client opens new
// connections until both loops have answered (the kernel picks a loop for
// each connection by a hash, so a few are enough).
func ExampleWorkers() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Handlers on different workers run in parallel.
			fmt.Fprint(w, asyncio.RunningLoop(r.Context()).ID())
		})
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.Workers(2))
		if err != nil {
			return struct{}{}, err
		}
		url := "http://" + srv.Addr().String() + "/"
		// The client blocks, so it runs on the loop's executor.
		loops, err := asyncio.ToThread(ctx, func() (map[string]bool, error) {
			tr := &http.Transport{DisableKeepAlives: true}
			c := &http.Client{Transport: tr}
			loops := make(map[string]bool)
			for tries := 0; tries < 200 && len(loops) < 2; tries++ {
				resp, err := c.Get(url)
				if err != nil {
					return nil, err
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					return nil, err
				}
				loops[string(b)] = true
			}
			return loops, nil
		})
		if err != nil {
			return struct{}{}, err
		}
		fmt.Println("loops that answered:", len(loops))
		return struct{}{}, srv.Shutdown(ctx)
	})
	// Output:
	// loops that answered: 2
}
