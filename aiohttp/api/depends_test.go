package api_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

// A fakeConn is a borrowed connection: the test counts borrows and
// returns.
type fakeConn struct {
	id    int
	trail *[]string
}

type userSession struct {
	User string `validate:"required"` // a struct the validator would check if it saw it
	Conn *fakeConn
}

type tokenIn struct {
	Token string    `header:"X-Token" validate:"required"`
	Conn  *fakeConn `depends:""`
}

type profileIn struct {
	ID      int64       `path:"id" validate:"gt=0"`
	Session userSession `depends:""`
	Conn    *fakeConn   `depends:""`
}

type profile struct {
	ID   int64  `json:"id"`
	User string `json:"user"`
	Conn int    `json:"conn"`
}

// depsApp: an operation that needs a userSession, which needs the token
// header and a connection, which the operation also needs; so a request
// makes one connection and one userSession.
func depsApp(trail *[]string, flushed *bool, rec **httptest.ResponseRecorder, opts ...api.Option) *api.App {
	a := api.New(opts...)
	borrowed := 0
	api.Provide(a, func(ctx context.Context, in *struct{}) (*fakeConn, func(), error) {
		borrowed++
		c := &fakeConn{id: borrowed, trail: trail}
		*trail = append(*trail, "borrow")
		return c, func() {
			if *rec != nil {
				*flushed = (*rec).Flushed
			}
			*trail = append(*trail, "return")
		}, nil
	})
	api.Provide(a, func(ctx context.Context, in *tokenIn) (userSession, func(), error) {
		if in.Token == "bad" {
			return userSession{}, nil, api.Errorf(http.StatusUnauthorized, "bad token")
		}
		*trail = append(*trail, "userSession")
		return userSession{User: strings.ToUpper(in.Token), Conn: in.Conn}, func() { *trail = append(*trail, "end userSession") }, nil
	})
	api.Get(a, "/profiles/{id}", func(ctx context.Context, in *profileIn) (*profile, error) {
		if in.Session.Conn != in.Conn {
			return nil, errors.New("the userSession and the operation got different connections")
		}
		*trail = append(*trail, "operation")
		return &profile{ID: in.ID, User: in.Session.User, Conn: in.Conn.id}, nil
	})
	return a
}

// TestDependencies: each type is made once per request, in the order
// they need each other, and torn down in reverse after the response is
// sent.
func TestDependencies(t *testing.T) {
	var trail []string
	var flushed bool
	var rec *httptest.ResponseRecorder
	a := depsApp(&trail, &flushed, &rec)
	rec = httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/profiles/7", nil)
	r.Header.Set("X-Token", "ann")
	a.ServeHTTP(rec, r)
	if rec.Code != 200 || rec.Body.String() != `{"id":7,"user":"ANN","conn":1}`+"\n" {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	if got, want := strings.Join(trail, ","), "borrow,userSession,operation,end userSession,return"; got != want {
		t.Errorf("trail %s, want %s", got, want)
	}
	if !flushed {
		t.Error("the response was not sent before the teardowns")
	}

	// The next request makes its own.
	trail = nil
	if w := get(t, a, "/profiles/8", "X-Token", "bo"); !strings.Contains(w.Body.String(), `"conn":2`) {
		t.Errorf("second request: %d %s", w.Code, w.Body)
	}
}

// TestDependencyRefusals: the problems of a dependency's input come with
// the operation's, in one document, and nothing is made; a dependency's
// error answers with its status, and what was made is torn down.
func TestDependencyRefusals(t *testing.T) {
	var trail []string
	var flushed bool
	var rec *httptest.ResponseRecorder
	a := depsApp(&trail, &flushed, &rec)

	w := get(t, a, "/profiles/0")
	if w.Code != 422 || !strings.Contains(w.Body.String(), `"location":"path.id"`) || !strings.Contains(w.Body.String(), `"location":"header.X-Token"`) {
		t.Errorf("bad id, no token: %d %s", w.Code, w.Body)
	}
	if len(trail) != 0 {
		t.Errorf("a refused request made %v", trail)
	}

	w = get(t, a, "/profiles/1", "X-Token", "bad")
	if w.Code != 401 || !strings.Contains(w.Body.String(), "bad token") {
		t.Errorf("bad token: %d %s", w.Code, w.Body)
	}
	if got, want := strings.Join(trail, ","), "borrow,return"; got != want {
		t.Errorf("trail %s, want %s", got, want)
	}
}

// TestTeardownPanic: a teardown that panics is logged, and the others
// still run.
func TestTeardownPanic(t *testing.T) {
	var log bytes.Buffer
	a := api.New(api.Logger(slog.New(slog.NewTextHandler(&log, nil))))
	returned := false
	api.Provide(a, func(ctx context.Context, in *struct{}) (*fakeConn, func(), error) {
		return &fakeConn{}, func() { returned = true }, nil
	})
	api.Provide(a, func(ctx context.Context, in *struct {
		C *fakeConn `depends:""`
	}) (userSession, func(), error) {
		return userSession{}, func() { panic("the userSession would not end") }, nil
	})
	type in struct {
		S userSession `depends:""`
	}
	api.Get(a, "/", func(ctx context.Context, in *in) (*profile, error) { return &profile{}, nil })
	if w := get(t, a, "/"); w.Code != 200 {
		t.Errorf("GET: %d %s", w.Code, w.Body)
	}
	if !returned {
		t.Error("the connection's teardown did not run after the userSession's panicked")
	}
	if !strings.Contains(log.String(), "the userSession would not end") {
		t.Errorf("the panic was not logged: %q", log.String())
	}
}

// TestProvideRefusals: mistakes in the wiring panic when the program
// registers it.
func TestProvideRefusals(t *testing.T) {
	type needsConn struct {
		C *fakeConn `depends:""`
	}
	type bodyIn struct {
		Item Item `body:""`
	}
	type bodyDep struct {
		S    userSession `depends:""`
		Item Item        `body:""`
	}
	conn := func(ctx context.Context, in *struct{}) (*fakeConn, func(), error) { return &fakeConn{}, nil, nil }
	for name, register := range map[string]func(a *api.App){
		"not provided": func(a *api.App) {
			api.Get(a, "/", func(ctx context.Context, in *needsConn) (*Item, error) { return nil, nil })
		},
		"provider needs what is not provided": func(a *api.App) {
			api.Provide(a, func(ctx context.Context, in *needsConn) (userSession, func(), error) { return userSession{}, nil, nil })
		},
		"provided twice": func(a *api.App) {
			api.Provide(a, conn)
			api.Provide(a, conn)
		},
		"two bodies": func(a *api.App) {
			api.Provide(a, func(ctx context.Context, in *bodyIn) (userSession, func(), error) { return userSession{}, nil, nil })
			api.Post(a, "/", func(ctx context.Context, in *bodyDep) (*Item, error) { return nil, nil })
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			register(api.New())
		}()
	}
}
