package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"

	"github.com/asyncio-go/asyncio/aiohttp/api/internal/bind"
)

// An OpOption configures one operation.
type OpOption func(*opConfig)

type opConfig struct {
	status int
}

// Status sets the status of a successful answer; 200 by default (204
// when the operation returns a nil output).
func Status(code int) OpOption { return func(c *opConfig) { c.status = code } }

// Get registers fn as the GET operation of pattern, a ServeMux pattern
// without its method ("/items/{id}"). It panics, as ServeMux does for a
// pattern it refuses, if In is not a struct the package can bind, or
// names a path wildcard the pattern lacks.
func Get[In, Out any](a *App, pattern string, fn func(ctx context.Context, in *In) (*Out, error), opts ...OpOption) {
	Handle(a, http.MethodGet, pattern, fn, opts...)
}

// Post registers fn as the POST operation of pattern, as Get does.
func Post[In, Out any](a *App, pattern string, fn func(ctx context.Context, in *In) (*Out, error), opts ...OpOption) {
	Handle(a, http.MethodPost, pattern, fn, opts...)
}

// Put registers fn as the PUT operation of pattern, as Get does.
func Put[In, Out any](a *App, pattern string, fn func(ctx context.Context, in *In) (*Out, error), opts ...OpOption) {
	Handle(a, http.MethodPut, pattern, fn, opts...)
}

// Patch registers fn as the PATCH operation of pattern, as Get does.
func Patch[In, Out any](a *App, pattern string, fn func(ctx context.Context, in *In) (*Out, error), opts ...OpOption) {
	Handle(a, http.MethodPatch, pattern, fn, opts...)
}

// Delete registers fn as the DELETE operation of pattern, as Get does.
func Delete[In, Out any](a *App, pattern string, fn func(ctx context.Context, in *In) (*Out, error), opts ...OpOption) {
	Handle(a, http.MethodDelete, pattern, fn, opts...)
}

// Handle registers fn as the operation of method and pattern.
func Handle[In, Out any](a *App, method, pattern string, fn func(ctx context.Context, in *In) (*Out, error), opts ...OpOption) {
	plan, err := bind.PlanFor(reflect.TypeFor[In]())
	if err != nil {
		panic(fmt.Sprintf("api: %s %s: %v", method, pattern, err))
	}
	if err := checkWildcards(pattern, reflect.TypeFor[In]()); err != nil {
		panic(fmt.Sprintf("api: %s %s: %v", method, pattern, err))
	}
	cfg := opConfig{status: http.StatusOK}
	for _, o := range opts {
		o(&cfg)
	}
	bo := bind.Options{MaxBody: a.cfg.maxBody, RejectUnknown: a.cfg.rejectUnknown}
	a.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		var in In
		if err := plan.Bind(r, &in, bo); err != nil {
			a.fail(w, r, bindError(err))
			return
		}
		out, err := fn(r.Context(), &in)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if out == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		body, err := json.Marshal(out)
		if err != nil {
			a.fail(w, r, fmt.Errorf("api: encoding the answer: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(cfg.status)
		w.Write(append(body, '\n'))
	})
	a.routes = append(a.routes, route{method, pattern})
}

// bindError turns what Bind returned into the answer's error.
func bindError(err error) error {
	var probs *bind.Problems
	var tl *bind.TooLarge
	switch {
	case errors.As(err, &probs):
		e := &Error{Status: http.StatusUnprocessableEntity, Detail: "the request does not fit the operation"}
		if probs.BadRequest {
			e.Status, e.Detail = http.StatusBadRequest, "the request could not be read"
		}
		for _, p := range probs.List {
			e.Problems = append(e.Problems, Problem{Location: p.Location, Message: p.Message})
		}
		return e
	case errors.As(err, &tl):
		return Errorf(http.StatusRequestEntityTooLarge, "the body is over %d bytes", tl.Limit)
	}
	return err
}

// fail answers with err: an *Error as it says, anything else as a 500
// whose detail stays in the log.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		e.write(w)
		return
	}
	if r.Context().Err() != nil {
		return // the client is gone, or the server is shutting down
	}
	a.cfg.logger.ErrorContext(r.Context(), "api: operation failed", "method", r.Method, "path", r.URL.Path, "err", err)
	(&Error{Status: http.StatusInternalServerError}).write(w)
}

var wildcard = regexp.MustCompile(`\{([^}.]*)(\.\.\.)?\}`)

// checkWildcards makes sure every path field of t names a wildcard of
// pattern.
func checkWildcards(pattern string, t reflect.Type) error {
	names := map[string]bool{}
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		names[m[1]] = true
	}
	for f := range t.Fields() {
		if name, ok := f.Tag.Lookup("path"); ok {
			if name == "" {
				name = f.Name
			}
			if !names[name] {
				return fmt.Errorf("field %s is bound to the path wildcard {%s}, which the pattern lacks", f.Name, name)
			}
		}
	}
	return nil
}
