package api

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"time"
)

// An App is a set of typed operations; it is the http.Handler that serves
// them.
type App struct {
	mux       *http.ServeMux
	cfg       config
	routes    []*route
	providers map[reflect.Type]*provider
	jobs      jobs

	opIDs map[string]string // operationId → "METHOD pattern"
	spec  spec              // the OpenAPI document served

	hooks   []func(ctx context.Context) (func(ctx context.Context) error, error)
	stops   []func(ctx context.Context) error
	started bool
}

// An Option configures an App.
type Option func(*config)

type config struct {
	maxBody         int64
	rejectUnknown   bool
	logger          *slog.Logger
	shutdownTimeout time.Duration

	// The OpenAPI document and its docs page (docs.go).
	title, version, overview string
	openAPIPath, docsPath    string
}

// MaxBody sets the most bytes of body an operation reads; a larger one
// is refused with 413. 1 MiB by default.
func MaxBody(n int64) Option { return func(c *config) { c.maxBody = n } }

// RejectUnknownFields makes a JSON body member that no field takes a
// problem (422). By default such members are ignored, as encoding/json
// and FastAPI's models do, so that clients may send what a newer version
// of the API will know.
func RejectUnknownFields() Option { return func(c *config) { c.rejectUnknown = true } }

// Logger sets where the errors of operations that become 500s are
// logged; slog.Default by default.
func Logger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// ShutdownTimeout bounds the graceful shutdown that Run does when its
// ctx ends: requests in flight, then the jobs they left, then the stops
// of the startup hooks. 30 seconds by default.
func ShutdownTimeout(d time.Duration) Option { return func(c *config) { c.shutdownTimeout = d } }

// New returns an App with no operations.
func New(opts ...Option) *App {
	a := &App{
		mux: http.NewServeMux(),
		cfg: config{
			maxBody: 1 << 20, logger: slog.Default(), shutdownTimeout: 30 * time.Second,
			title: "API", version: "0.1.0", openAPIPath: "/openapi.json", docsPath: "/docs",
		},
		providers: map[reflect.Type]*provider{},
	}
	for _, o := range opts {
		o(&a.cfg)
	}
	a.serveDocs()
	return a
}

// Handle registers h for pattern, a ServeMux pattern with or without a
// method, as a plain handler beside the App's operations: a WebSocket
// endpoint (aiohttp.Upgrade; FastAPI's @app.websocket), static files, a
// handler from another library. Its requests get none of the App's
// binding, and it is not in the OpenAPI document.
func (a *App) Handle(pattern string, h http.Handler) {
	a.mux.Handle(pattern, h)
}

// ServeHTTP serves the operation the request's method and path select.
// A request that selects none gets ServeMux's answer (404, or 405 with
// its Allow header) as a problem document, as every refusal of the App.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := a.mux.Handler(r)
	if pattern == "" {
		h.ServeHTTP(&refusal{w: w}, r)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// refusal writes ServeMux's own answers as problem documents: its status
// and headers stand, its text body goes.
type refusal struct {
	w    http.ResponseWriter
	done bool
}

func (f *refusal) Header() http.Header { return f.w.Header() }

func (f *refusal) WriteHeader(code int) {
	if !f.done {
		f.done = true
		f.w.Header().Del("Content-Length")
		(&Error{Status: code}).write(f.w)
	}
}

func (f *refusal) Write(p []byte) (int, error) {
	f.WriteHeader(http.StatusOK)
	return len(p), nil
}
