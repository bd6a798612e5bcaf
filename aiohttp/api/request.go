package api

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"runtime/debug"

	"github.com/asyncio-go/asyncio/aiohttp/api/internal/bind"
)

// A call is what one request of an operation has made: its dependencies,
// their teardowns and the work it left for after the response.
type call struct {
	app        *App
	made       map[reflect.Type]reflect.Value
	teardowns  []func()
	afterwards []job
	answered   bool        // a response is written: end sends it before the teardowns
	ok         bool        // the operation answered without error: its jobs run
	header     http.Header // what the operation set with Header; nil if nothing
	status     int         // what it set with SetStatus; 0 if nothing
}

// succeed marks the operation's answer a success, about to be written,
// with the headers it set.
func (c *call) succeed(w http.ResponseWriter) {
	c.answered, c.ok = true, true
	if c.header != nil {
		h := w.Header()
		for k, vs := range c.header {
			h[k] = append(h[k], vs...)
		}
	}
}

type callKey struct{}

// callOf returns the call whose ctx ctx is, or nil.
func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// resolve makes the values the operation's input needs, each provider
// called after those it needs. A provider's error stops it, the values
// made so far being torn down when the call ends.
func (c *call) resolve(ctx context.Context, chain []*provider, inputs []reflect.Value) error {
	if len(chain) == 0 {
		return nil
	}
	c.made = make(map[reflect.Type]reflect.Value, len(chain))
	for i, p := range chain {
		fill(inputs[i].Elem(), p.needs, c.made)
		v, teardown, err := p.call(ctx, inputs[i].Interface())
		if err != nil {
			return err
		}
		if teardown != nil {
			c.teardowns = append(c.teardowns, teardown)
		}
		c.made[p.t] = v
	}
	return nil
}

// bindAll binds the operation's input and those of its providers,
// gathering the problems of all into one error, as one request has them.
func bindAll(r *http.Request, o bind.Options, chain []*provider, inputs []reflect.Value, own func() error) error {
	var all bind.Problems
	add := func(err error) error {
		var probs *bind.Problems
		if errors.As(err, &probs) {
			all.List = append(all.List, probs.List...)
			all.BadRequest = all.BadRequest || probs.BadRequest
			return nil
		}
		return err
	}
	for i, p := range chain {
		inputs[i] = reflect.New(p.in)
		if err := add(p.plan.Bind(r, inputs[i].Interface(), o)); err != nil {
			return err
		}
	}
	if err := add(own()); err != nil {
		return err
	}
	if len(all.List) > 0 {
		return &all
	}
	return nil
}

// end sends the response, then runs the teardowns, last made first,
// then, if the operation succeeded, hands its jobs to the App. A
// teardown that panics is logged and the others still run: each undoes
// something (a connection borrowed) that must not leak because another
// failed.
func (c *call) end(ctx context.Context, w http.ResponseWriter) {
	if len(c.teardowns) == 0 && (!c.ok || len(c.afterwards) == 0) {
		return
	}
	if c.answered {
		// The response is complete (its length is set): the client
		// need not wait for what follows.
		http.NewResponseController(w).Flush()
	}
	for i := len(c.teardowns) - 1; i >= 0; i-- {
		c.teardown(ctx, c.teardowns[i])
	}
	if c.ok && len(c.afterwards) > 0 {
		c.app.jobs.start(ctx, c.app.cfg.logger, c.afterwards)
	}
}

func (c *call) teardown(ctx context.Context, fn func()) {
	defer func() {
		if p := recover(); p != nil {
			c.app.cfg.logger.ErrorContext(ctx, "api: a dependency's teardown panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	fn()
}
