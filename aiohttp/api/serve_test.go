package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/api"
)

// TestOnTheLoopServer: on the module's server an operation runs as the
// request's task, and may wait on the loop.
func TestOnTheLoopServer(t *testing.T) {
	a := api.New()
	type in struct {
		Name string `query:"name" validate:"required"`
	}
	type out struct {
		Greeting string `json:"greeting"`
		InTask   bool   `json:"inTask"`
	}
	api.Get(a, "/hello", func(ctx context.Context, in *in) (*out, error) {
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return nil, err
		}
		return &out{Greeting: "Hello, " + in.Name, InTask: asyncio.InTask(ctx)}, nil
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", a)
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Shutdown(ctx)
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		base := "http://" + srv.Addr().String()
		for target, want := range map[string]string{
			"/hello?name=Ann": `{"greeting":"Hello, Ann","inTask":true}`,
			"/hello":          `"location":"query.name"`,
		} {
			resp, err := s.Get(ctx, base+target)
			if err != nil {
				return struct{}{}, err
			}
			text, err := resp.Text(ctx)
			if err != nil {
				return struct{}{}, err
			}
			if !strings.Contains(text, want) {
				t.Errorf("GET %s: %d %s, want %s", target, resp.StatusCode, text, want)
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
