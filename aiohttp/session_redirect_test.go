package aiohttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

func TestSessionRedirectMethods(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code, ok := strings.CutPrefix(r.URL.Path, "/r/"); ok {
			var n int
			fmt.Sscan(code, &n)
			http.Redirect(w, r, "/final", n)
			return
		}
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %q", r.Method, r.URL.Path, body)
	}))
	tests := []struct {
		code int
		want string
	}{
		{301, `GET /final ""`},
		{302, `GET /final ""`},
		{303, `GET /final ""`},
		{307, `POST /final "payload"`},
		{308, `POST /final "payload"`},
	}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for _, tt := range tests {
			resp, err := s.Post(ctx, fmt.Sprintf("%s/r/%d", srv.URL, tt.code), aiohttp.Body(strings.NewReader("payload"), "text/plain"))
			if err != nil {
				return err
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return err
			}
			if got != tt.want || resp.URL.Path != "/final" {
				t.Errorf("POST redirected by %d: %s at %s, want %s", tt.code, got, resp.URL, tt.want)
			}
		}
		// Not followed when told so.
		resp, err := s.Get(ctx, srv.URL+"/r/302", aiohttp.AllowRedirects(false))
		if err != nil {
			return err
		}
		resp.Release()
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "/final" {
			t.Errorf("AllowRedirects(false): %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return nil
	})
}

func TestSessionRedirectLimit(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		_, err := s.Get(ctx, srv.URL, aiohttp.MaxRedirects(3))
		var tm *aiohttp.TooManyRedirectsError
		if !errors.As(err, &tm) || tm.Max != 3 {
			t.Errorf("err = %v, want TooManyRedirectsError after 3", err)
		}
		return nil
	})
}

func TestSessionRedirectDropsAuthAcrossHosts(t *testing.T) {
	other := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "auth=%q", r.Header.Get("Authorization"))
	}))
	// The same server under another name: localhost instead of 127.0.0.1.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, other.URL, http.StatusFound)
		case "/cross":
			http.Redirect(w, r, otherURL, http.StatusFound)
		}
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for path, want := range map[string]string{"/same": `auth="Bearer t0k"`, "/cross": `auth=""`} {
			resp, err := s.Get(ctx, srv.URL+path, aiohttp.BearerAuth("t0k"))
			if err != nil {
				return err
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("%s: %s, want %s", path, got, want)
			}
		}
		return nil
	})
}

func TestSessionCookies(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cret", Path: "/"})
			http.Redirect(w, r, "/me", http.StatusSeeOther)
		case "/me":
			c, err := r.Cookie("session")
			if err != nil {
				io.WriteString(w, "anonymous")
				return
			}
			io.WriteString(w, "session "+c.Value)
		}
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for _, path := range []string{"/login", "/me"} {
			resp, err := s.Get(ctx, srv.URL+path)
			if err != nil {
				return err
			}
			if got, err := resp.Text(ctx); err != nil || got != "session s3cret" {
				t.Errorf("%s: %q %v", path, got, err)
			}
		}
		return nil
	})
}
