// Reverseproxy is a gateway whose handler calls another service with the
// aiohttp client: each request to the front server fetches the price of
// one item from a slower upstream service and answers with it. The
// handler awaits the upstream request in its own task, so the front server
// serves many requests at once on one loop, and a request that the client
// gives up on cancels its upstream call too.
//
// Both servers and the client that drives them run in this program, on one
// loop: five requests go to the gateway at once; each upstream answer takes
// half a second, and all five are answered within that half second.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

const upstreamDelay = 500 * time.Millisecond

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "reverseproxy:", err)
		os.Exit(1)
	}
}

// upstream is the slow service: GET /prices/{item} answers after
// upstreamDelay.
func upstream() http.Handler {
	prices := map[string]int{"apple": 3, "bread": 5, "cheese": 12, "dates": 7, "eggs": 4}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prices/{item}", func(w http.ResponseWriter, r *http.Request) {
		if err := asyncio.Sleep(r.Context(), upstreamDelay); err != nil {
			return
		}
		price, ok := prices[r.PathValue("item")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int{"cents": price * 100})
	})
	return mux
}

// gateway answers GET /items/{item} with the upstream's price, fetched
// with session inside the handler.
func gateway(session *aiohttp.Session, upstreamURL string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{item}", func(w http.ResponseWriter, r *http.Request) {
		item := r.PathValue("item")
		resp, err := session.Get(r.Context(), upstreamURL+"/prices/"+item)
		if err != nil {
			http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Release()
		if resp.StatusCode != http.StatusOK {
			http.Error(w, "upstream answered "+http.StatusText(resp.StatusCode), http.StatusBadGateway)
			return
		}
		var price struct{ Cents int }
		if err := resp.JSON(r.Context(), &price); err != nil {
			http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%s costs %d.%02d\n", item, price.Cents/100, price.Cents%100)
	})
	return mux
}

func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		up, err := aiohttp.Serve(ctx, "127.0.0.1:0", upstream())
		if err != nil {
			return struct{}{}, err
		}
		defer up.Shutdown(ctx)
		session := aiohttp.NewSession()
		defer session.Close(ctx)
		front, err := aiohttp.Serve(ctx, "127.0.0.1:0", gateway(session, "http://"+up.Addr().String()))
		if err != nil {
			return struct{}{}, err
		}
		defer front.Shutdown(ctx)

		items := []string{"apple", "bread", "cheese", "dates", "figs"}
		gets := make([]func(context.Context) (string, error), len(items))
		for i, item := range items {
			gets[i] = func(ctx context.Context) (string, error) {
				resp, err := session.Get(ctx, "http://"+front.Addr().String()+"/items/"+item)
				if err != nil {
					return "", err
				}
				text, err := resp.Text(ctx)
				return fmt.Sprintf("%d %s", resp.StatusCode, text), err
			}
		}
		start := asyncio.RunningLoop(ctx).Time()
		answers, err := asyncio.Gather(ctx, gets...)
		if err != nil {
			return struct{}{}, err
		}
		for _, a := range answers {
			fmt.Fprint(w, a)
		}
		took := asyncio.RunningLoop(ctx).Time() - start
		fmt.Fprintf(w, "%d requests through the gateway in %v\n", len(items), took.Round(100*time.Millisecond))
		return struct{}{}, nil
	}, opts...)
	return err
}
