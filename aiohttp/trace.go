package aiohttp

import (
	"context"
	"net/http"
)

// TraceConfig holds hooks called at the steps of a request (aiohttp's
// TraceConfig); a nil field is skipped. Hooks run on the session's loop,
// in the task making the request, and must not block. Add one to a
// session with TraceConfigs.
type TraceConfig struct {
	RequestStart     func(ctx context.Context, req *http.Request)
	RequestEnd       func(ctx context.Context, req *http.Request, resp *http.Response)
	RequestException func(ctx context.Context, req *http.Request, err error)
	// RequestRedirect is called before a redirect is followed, with the
	// request about to be made and the responses' requests so far.
	RequestRedirect func(ctx context.Context, req *http.Request, via []*http.Request)

	ConnectionQueuedStart func(ctx context.Context)
	ConnectionQueuedEnd   func(ctx context.Context)
	ConnectionCreateStart func(ctx context.Context)
	ConnectionCreateEnd   func(ctx context.Context)
	ConnectionReuse       func(ctx context.Context)

	DNSResolveHostStart func(ctx context.Context, host string)
	DNSResolveHostEnd   func(ctx context.Context, host string)
	DNSCacheHit         func(ctx context.Context, host string)
	DNSCacheMiss        func(ctx context.Context, host string)
}

// traceList is a session's trace configs.
type traceList []*TraceConfig

func (ts *traceList) each(f func(t *TraceConfig)) {
	if ts == nil {
		return
	}
	for _, t := range *ts {
		f(t)
	}
}

func (ts *traceList) requestStart(ctx context.Context, req *http.Request) {
	ts.each(func(t *TraceConfig) {
		if t.RequestStart != nil {
			t.RequestStart(ctx, req)
		}
	})
}

func (ts *traceList) requestEnd(ctx context.Context, req *http.Request, resp *http.Response) {
	ts.each(func(t *TraceConfig) {
		if t.RequestEnd != nil {
			t.RequestEnd(ctx, req, resp)
		}
	})
}

func (ts *traceList) requestException(ctx context.Context, req *http.Request, err error) {
	ts.each(func(t *TraceConfig) {
		if t.RequestException != nil {
			t.RequestException(ctx, req, err)
		}
	})
}

func (ts *traceList) requestRedirect(ctx context.Context, req *http.Request, via []*http.Request) {
	ts.each(func(t *TraceConfig) {
		if t.RequestRedirect != nil {
			t.RequestRedirect(ctx, req, via)
		}
	})
}

func (ts *traceList) hook(ctx context.Context, pick func(*TraceConfig) func(context.Context)) {
	ts.each(func(t *TraceConfig) {
		if f := pick(t); f != nil {
			f(ctx)
		}
	})
}

func (ts *traceList) hostHook(ctx context.Context, host string, pick func(*TraceConfig) func(context.Context, string)) {
	ts.each(func(t *TraceConfig) {
		if f := pick(t); f != nil {
			f(ctx, host)
		}
	})
}

func (ts *traceList) connectionQueuedStart(ctx context.Context) {
	ts.hook(ctx, func(t *TraceConfig) func(context.Context) { return t.ConnectionQueuedStart })
}

func (ts *traceList) connectionQueuedEnd(ctx context.Context) {
	ts.hook(ctx, func(t *TraceConfig) func(context.Context) { return t.ConnectionQueuedEnd })
}

func (ts *traceList) connectionCreateStart(ctx context.Context) {
	ts.hook(ctx, func(t *TraceConfig) func(context.Context) { return t.ConnectionCreateStart })
}

func (ts *traceList) connectionCreateEnd(ctx context.Context) {
	ts.hook(ctx, func(t *TraceConfig) func(context.Context) { return t.ConnectionCreateEnd })
}

func (ts *traceList) connectionReuse(ctx context.Context) {
	ts.hook(ctx, func(t *TraceConfig) func(context.Context) { return t.ConnectionReuse })
}

func (ts *traceList) dnsResolveHostStart(ctx context.Context, host string) {
	ts.hostHook(ctx, host, func(t *TraceConfig) func(context.Context, string) { return t.DNSResolveHostStart })
}

func (ts *traceList) dnsResolveHostEnd(ctx context.Context, host string) {
	ts.hostHook(ctx, host, func(t *TraceConfig) func(context.Context, string) { return t.DNSResolveHostEnd })
}

func (ts *traceList) dnsCacheHit(ctx context.Context, host string) {
	ts.hostHook(ctx, host, func(t *TraceConfig) func(context.Context, string) { return t.DNSCacheHit })
}

func (ts *traceList) dnsCacheMiss(ctx context.Context, host string) {
	ts.hostHook(ctx, host, func(t *TraceConfig) func(context.Context, string) { return t.DNSCacheMiss })
}
