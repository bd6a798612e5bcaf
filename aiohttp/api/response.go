package api

import (
	"context"
	"net/http"
)

// Header returns the headers that the successful answer of the operation
// whose ctx is ctx will carry, for it to add to: a Location, a
// Cache-Control, a cookie (FastAPI's Response parameter). They are sent
// only if the operation succeeds; an error's answer is the error's
// alone. Header panics if ctx is not an operation's.
func Header(ctx context.Context) http.Header {
	c := mustCall(ctx, "Header")
	if c.header == nil {
		c.header = http.Header{}
	}
	return c.header
}

// SetStatus sets the status of the successful answer of the operation
// whose ctx is ctx, in place of the one it was registered with (Status):
// 201 when a PUT created what it names, 200 when it replaced it. A nil
// output still answers 204. SetStatus panics if ctx is not an
// operation's.
func SetStatus(ctx context.Context, code int) {
	if code < 100 || code > 999 {
		panic("api: SetStatus of an invalid status")
	}
	mustCall(ctx, "SetStatus").status = code
}

func mustCall(ctx context.Context, what string) *call {
	c := callOf(ctx)
	if c == nil {
		panic("api: " + what + " with a ctx that is not an operation's")
	}
	return c
}
