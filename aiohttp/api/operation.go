package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"

	"github.com/asyncio-go/asyncio/aiohttp/api/internal/bind"
)

// An OpOption configures one operation.
type OpOption func(*opConfig)

type opConfig struct {
	status int
	// What the OpenAPI document says of the operation (opdoc.go).
	summary, description, operationID string
	tags                              []string
	deprecated                        bool
	explicitID                        bool
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
	rt := &route{method: method, pattern: pattern, in: reflect.TypeFor[In](), out: reflect.TypeFor[Out](), cfg: opConfig{status: http.StatusOK}}
	for _, o := range opts {
		o(&rt.cfg)
	}
	plan, needs, chain, err := a.plan(rt)
	if err == nil {
		err = a.claimOperationID(rt)
	}
	if err != nil {
		panic(fmt.Sprintf("api: %s %s: %v", method, pattern, err))
	}
	bo := bind.Options{MaxBody: a.cfg.maxBody, RejectUnknown: a.cfg.rejectUnknown}
	status := rt.cfg.status
	a.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		c := &call{app: a}
		ctx := context.WithValue(r.Context(), callKey{}, c)
		defer c.end(ctx, w)
		var in In
		var err error
		own := func() error { return plan.Bind(r, &in, bo) }
		var inputs []reflect.Value
		if len(chain) == 0 {
			err = own()
		} else {
			inputs = make([]reflect.Value, len(chain))
			err = bindAll(r, bo, chain, inputs, own)
		}
		if err != nil {
			c.fail(w, r, bindError(err))
			return
		}
		if err := c.resolve(ctx, chain, inputs); err != nil {
			c.fail(w, r, err)
			return
		}
		if len(needs) > 0 {
			fill(reflect.ValueOf(&in).Elem(), needs, c.made)
		}
		out, err := fn(ctx, &in)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if out == nil {
			c.succeed(w)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		body, err := json.Marshal(out)
		if err != nil {
			c.fail(w, r, fmt.Errorf("api: encoding the answer: %w", err))
			return
		}
		c.succeed(w)
		body = append(body, '\n')
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if c.status != 0 {
			w.WriteHeader(c.status)
		} else {
			w.WriteHeader(status)
		}
		w.Write(body)
	})
	a.routes = append(a.routes, rt)
}

// A route is one operation, as the App's OpenAPI document describes it.
type route struct {
	method, pattern string
	in, out         reflect.Type
	// inputs are the types bound from the operation's requests: in,
	// then the inputs of the dependencies it uses.
	inputs []reflect.Type
	cfg    opConfig
}

// plan checks an operation's input and the dependencies it uses, and
// returns how to bind and make them.
func (a *App) plan(rt *route) (*bind.Plan, []need, []*provider, error) {
	plan, err := bind.PlanFor(rt.in)
	if err != nil {
		return nil, nil, nil, err
	}
	needs, err := a.needsOf(rt.in)
	if err != nil {
		return nil, nil, nil, err
	}
	chain := a.chain(needs)
	rt.inputs = []reflect.Type{rt.in}
	bodies := 0
	if plan.ReadsBody() {
		bodies++
	}
	for _, p := range chain {
		rt.inputs = append(rt.inputs, p.in)
		if p.plan.ReadsBody() {
			bodies++
		}
	}
	if bodies > 1 {
		return nil, nil, nil, errors.New("the input and its dependencies read the body more than once: a request has one body")
	}
	for _, t := range rt.inputs {
		if err := checkWildcards(rt.pattern, t); err != nil {
			return nil, nil, nil, err
		}
	}
	return plan, needs, chain, nil
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
func (c *call) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.As(err, &e) {
		c.answered = true
		e.write(w)
		return
	}
	if r.Context().Err() != nil {
		return // the client is gone, or the server is shutting down
	}
	c.app.cfg.logger.ErrorContext(r.Context(), "api: operation failed", "method", r.Method, "path", r.URL.Path, "err", err)
	c.answered = true
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
