package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func ExampleSession() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"greeting": "hello", "path": "`+r.URL.Path+`"}`)
	}))
	defer srv.Close()

	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		resp, err := s.Get(ctx, srv.URL+"/world")
		if err != nil {
			return struct{}{}, err
		}
		var v struct{ Greeting, Path string }
		if err := resp.JSON(ctx, &v); err != nil {
			return struct{}{}, err
		}
		fmt.Println(resp.StatusCode, v.Greeting, v.Path)
		return struct{}{}, nil
	})
	// Output: 200 hello /world
}

// The session is the transport of an http.Client, usable from tasks and
// from ordinary goroutines.
func ExampleSession_Transport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hi from net/http")
	}))
	defer srv.Close()

	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		client := &http.Client{Transport: s.Transport()}
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			return struct{}{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		fmt.Println(string(b), err)
		return struct{}{}, nil
	})
	// Output: hi from net/http <nil>
}
