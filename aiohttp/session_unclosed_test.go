package aiohttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestSessionUnclosedIsReported: a session garbage-collected without
// Close has its idle connection closed and is reported to the loop's
// exception handler.
func TestSessionUnclosedIsReported(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		reported := asyncio.NewEvent()
		var got asyncio.ExceptionContext
		asyncio.RunningLoop(ctx).SetExceptionHandler(func(c asyncio.ExceptionContext) {
			got = c
			reported.Set()
		})
		if err := useAndDropSession(ctx, srv.URL); err != nil {
			return struct{}{}, err
		}
		runtime.GC()
		runtime.GC()
		// The bound is only for a failure: the report comes as soon as
		// the runtime runs the cleanup.
		if err := asyncio.Timeout(ctx, 10*time.Second, reported.Wait); err != nil {
			t.Fatalf("no report of the unclosed session: %v", err)
		}
		if !errors.Is(got.Err, aiohttp.ErrUnclosedSession) {
			t.Errorf("reported %+v", got)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The server sees the idle connection closed.
	select {
	case <-srv.closed:
	case <-time.After(10 * time.Second):
		t.Error("the idle connection was not closed")
	}
}

// useAndDropSession makes a request on a new session, leaves its
// connection idle in the pool, and forgets the session.
func useAndDropSession(ctx context.Context, url string) error {
	s := aiohttp.NewSession()
	resp, err := s.Get(ctx, url)
	if err != nil {
		return err
	}
	_, err = resp.Text(ctx)
	return err
}
