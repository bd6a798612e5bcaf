package api_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// hook returns a startup hook that notes its start and stop in trail,
// and fails if fail is set.
func hook(trail *[]string, name string, fail error) func(context.Context) (func(context.Context) error, error) {
	return func(ctx context.Context) (func(context.Context) error, error) {
		if fail != nil {
			*trail = append(*trail, "fail "+name)
			return nil, fail
		}
		*trail = append(*trail, "start "+name)
		return func(ctx context.Context) error {
			*trail = append(*trail, "stop "+name)
			return nil
		}, nil
	}
}

// TestLifespan: hooks start in order and stop in reverse.
func TestLifespan(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var trail []string
		a := api.New()
		a.Lifespan(hook(&trail, "pool", nil))
		a.Lifespan(func(ctx context.Context) (func(context.Context) error, error) {
			trail = append(trail, "start nothing to stop")
			return nil, nil
		})
		a.Lifespan(hook(&trail, "cache", nil))
		if err := a.Start(ctx); err != nil {
			return err
		}
		if err := a.Start(ctx); err == nil {
			t.Error("a second Start did not fail")
		}
		if err := a.Shutdown(ctx); err != nil {
			return err
		}
		if got, want := strings.Join(trail, ","), "start pool,start nothing to stop,start cache,stop cache,stop pool"; got != want {
			t.Errorf("trail %s, want %s", got, want)
		}
		return nil
	})
}

// TestLifespanFailure: a failing hook stops Start, the hooks before it
// are stopped, and Serve does not listen.
func TestLifespanFailure(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var trail []string
		a := api.New()
		a.Lifespan(hook(&trail, "pool", nil))
		boom := errors.New("the database is not there")
		a.Lifespan(hook(&trail, "cache", boom))
		a.Lifespan(hook(&trail, "never", nil))
		srv, err := a.Serve(ctx, "127.0.0.1:0")
		if !errors.Is(err, boom) || srv != nil || !strings.Contains(err.Error(), "startup hook 2 of 3") {
			t.Errorf("Serve: %v, %v", srv, err)
		}
		if got, want := strings.Join(trail, ","), "start pool,fail cache,stop pool"; got != want {
			t.Errorf("trail %s, want %s", got, want)
		}
		return nil
	})
}

// TestRun: Run serves until its ctx ends, then shuts the server and the
// App down, waiting for the jobs the requests left: here a job of a
// minute, on the virtual clock.
func TestRun(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var trail []string
		var log bytes.Buffer
		a := api.New(api.Logger(slog.New(slog.NewTextHandler(&log, nil))), api.ShutdownTimeout(2*time.Minute))
		a.Lifespan(hook(&trail, "pool", nil))
		type in struct{}
		api.Post(a, "/work", func(ctx context.Context, _ *in) (*queued, error) {
			api.AfterResponse(ctx, "tidy", func(ctx context.Context) error {
				if err := asyncio.Sleep(ctx, time.Minute); err != nil {
					return err
				}
				trail = append(trail, "tidied")
				return nil
			})
			return &queued{"ok"}, nil
		})
		done := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, a.Run(ctx, "127.0.0.1:0")
		})
		// Run logs its address once it listens, before its first wait.
		for !strings.Contains(log.String(), "addr=") {
			if done.Done() {
				_, err := done.Result()
				t.Fatalf("Run returned before serving: %v; log %s", err, log.String())
			}
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		_, rest, _ := strings.Cut(log.String(), "addr=")
		addr, _, _ := strings.Cut(rest, "\n")
		s := aiohttp.NewSession()
		resp, err := s.Post(ctx, "http://"+addr+"/work")
		if err != nil {
			return err
		}
		resp.Text(ctx)
		s.Close(ctx)
		loop := asyncio.RunningLoop(ctx)
		cancelled := loop.Time()
		done.Cancel() // as Ctrl-C does to a program's main task
		if _, err := done.Wait(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
		if took := loop.Time() - cancelled; took != time.Minute {
			t.Errorf("Run returned %v after its ctx ended, want the job's minute", took)
		}
		if got, want := strings.Join(trail, ","), "start pool,tidied,stop pool"; got != want {
			t.Errorf("trail %s, want %s", got, want)
		}
		return nil
	})
}
