package aiohttp_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestSessionExpectContinueTimeout: a server that never answers "Expect:
// 100-continue" gets the body anyway once ExpectContinueTimeout has
// passed on the loop's clock (at once if it is 0), where aiohttp would
// wait for the 100 forever.
func TestSessionExpectContinueTimeout(t *testing.T) {
	url := rawServer(t, func(conn net.Conn, r *bufio.Reader, n int) {
		for {
			req, body, err := readRequest(r) // sends no 100, reads the body
			if err != nil {
				return
			}
			answer(conn, req.Header.Get("Expect")+" "+body)
		}
	})
	for _, tc := range []struct {
		opts []aiohttp.SessionOption
		want time.Duration
	}{
		{nil, aiohttp.DefaultExpectContinueTimeout},
		{[]aiohttp.SessionOption{aiohttp.ExpectContinueTimeout(3 * time.Second)}, 3 * time.Second},
		{[]aiohttp.SessionOption{aiohttp.ExpectContinueTimeout(0)}, 0},
	} {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			s := aiohttp.NewSession(append(tc.opts, noTimeout)...)
			defer s.Close(ctx)
			l := asyncio.RunningLoop(ctx)
			start := l.Time()
			resp, err := s.Put(ctx, url, aiohttp.Body(strings.NewReader("the body"), "text/plain"),
				aiohttp.WithHeader("Expect", "100-continue"))
			if err != nil {
				return struct{}{}, err
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return struct{}{}, err
			}
			if got != "100-continue the body" {
				t.Errorf("server answered %q", got)
			}
			if d := l.Time() - start; d != tc.want {
				t.Errorf("the body went after %v, want %v", d, tc.want)
			}
			return struct{}{}, nil
		}, asyncio.WithClock(asyncio.NewVirtualClock()))
		if err != nil {
			t.Fatal(err)
		}
	}
}
