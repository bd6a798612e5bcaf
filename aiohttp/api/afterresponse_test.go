package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/asynciotest"
)

type notifyIn struct {
	Email string `query:"email" validate:"required,email"`
	Fail  bool   `query:"fail"`
}

type queued struct {
	Status string `json:"status"`
}

// notifyApp is the seed guide's /send-notification: the answer comes at
// once, the email is sent after it, taking 5 s.
func notifyApp(trail *[]string, log *bytes.Buffer) *api.App {
	a := api.New(api.Logger(slog.New(slog.NewTextHandler(log, nil))))
	api.Post(a, "/send-notification", func(ctx context.Context, in *notifyIn) (*queued, error) {
		api.AfterResponse(ctx, "send email", func(ctx context.Context) error {
			if err := asyncio.Sleep(ctx, 5*time.Second); err != nil {
				*trail = append(*trail, "email cancelled")
				return err
			}
			*trail = append(*trail, fmt.Sprintf("email to %s at %v", in.Email, asyncio.RunningLoop(ctx).Time()))
			if in.Fail {
				return errors.New("the mail server said no")
			}
			return nil
		})
		api.AfterResponse(ctx, "count", func(ctx context.Context) error {
			*trail = append(*trail, "counted")
			if in.Fail {
				panic("the counter broke")
			}
			return nil
		})
		if in.Email == "nobody@example.com" {
			return nil, api.NotFound("no such user")
		}
		return &queued{"notification queued"}, nil
	})
	return a
}

func post(ctx context.Context, h http.Handler, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", target, nil).WithContext(ctx))
	return w
}

// TestAfterResponse: the answer is sent at once; the jobs run after it,
// in order, as a task the App owns, and Shutdown waits for them.
func TestAfterResponse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var trail []string
		var log bytes.Buffer
		a := notifyApp(&trail, &log)
		w := post(ctx, a, "/send-notification?email=ann@example.com")
		if w.Code != 200 || !strings.Contains(w.Body.String(), "notification queued") || len(trail) != 0 {
			t.Errorf("answer: %d %s, trail %v", w.Code, w.Body, trail)
		}
		if err := a.Shutdown(ctx); err != nil {
			return err
		}
		if got, want := strings.Join(trail, ","), "email to ann@example.com at 5s,counted"; got != want {
			t.Errorf("trail %s, want %s", got, want)
		}
		if log.Len() != 0 {
			t.Errorf("logged %q", log.String())
		}
		return nil
	})
}

// TestAfterResponseFailures: a job's error and a job's panic are logged,
// and the job after a failed one still runs; the jobs of an operation
// that failed do not run.
func TestAfterResponseFailures(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var trail []string
		var log bytes.Buffer
		a := notifyApp(&trail, &log)
		post(ctx, a, "/send-notification?email=bo@example.com&fail=true")
		if w := post(ctx, a, "/send-notification?email=nobody@example.com"); w.Code != 404 {
			t.Errorf("failed operation: %d", w.Code)
		}
		if err := a.Shutdown(ctx); err != nil {
			return err
		}
		if got, want := strings.Join(trail, ","), "email to bo@example.com at 5s,counted"; got != want {
			t.Errorf("trail %s, want %s", got, want)
		}
		for _, want := range []string{`job="send email"`, "the mail server said no", "job=count", "the counter broke"} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("the log lacks %q: %s", want, log.String())
			}
		}
		return nil
	})
}

// TestShutdownCancelsJobs: Shutdown waits as long as its ctx lets it,
// then cancels the jobs left, says so, and refuses new ones.
func TestShutdownCancelsJobs(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var trail []string
		var log bytes.Buffer
		a := notifyApp(&trail, &log)
		post(ctx, a, "/send-notification?email=cy@example.com")
		var err error
		asyncio.Timeout(ctx, 2*time.Second, func(ctx context.Context) error {
			err = a.Shutdown(ctx)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "1 requests' jobs cancelled at shutdown") {
			t.Errorf("Shutdown: %v", err)
		}
		if now := asyncio.RunningLoop(ctx).Time(); now != 2*time.Second {
			t.Errorf("Shutdown returned at %v, want 2s", now)
		}
		// The cancelled job was reported, and the rest of its request's
		// jobs still ran: each job is on its own.
		if got, want := strings.Join(trail, ","), "email cancelled,counted"; got != want {
			t.Errorf("trail %s, want %s", got, want)
		}
		if !strings.Contains(log.String(), "job failed") {
			t.Errorf("the cancelled job was not reported: %s", log.String())
		}
		log.Reset()
		post(ctx, a, "/send-notification?email=di@example.com")
		if !strings.Contains(log.String(), "job not run") {
			t.Errorf("a job after Shutdown was not refused aloud: %q", log.String())
		}
		return nil
	})
}

// TestAfterResponseOnNetHTTP: served by net/http, off any loop, the jobs
// run on a goroutine of the App's, which Shutdown waits for.
func TestAfterResponseOnNetHTTP(t *testing.T) {
	a := api.New()
	release := make(chan struct{})
	var mu sync.Mutex
	ran := false
	type in struct{}
	api.Post(a, "/", func(ctx context.Context, _ *in) (*queued, error) {
		api.AfterResponse(ctx, "slow", func(ctx context.Context) error {
			<-release
			mu.Lock()
			ran = true
			mu.Unlock()
			return nil
		})
		return &queued{"ok"}, nil
	})
	srv := httptest.NewServer(a)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	close(release)
	// As a program does: the server first, which waits for the handler
	// to return, having started its jobs; then the App.
	srv.Close()
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !ran {
		t.Error("Shutdown returned before the job ran")
	}
}

// TestAfterResponseOutsideOperation: a ctx of no operation is a mistake.
func TestAfterResponseOutsideOperation(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	api.AfterResponse(context.Background(), "x", func(context.Context) error { return nil })
}
