package asyncio

import (
	"log/slog"
	"os"
	"time"
)

// An Option configures a Loop, a Runner or Run.
type Option func(*config)

type config struct {
	clock        Clock
	debug        bool
	slowDuration time.Duration
	handler      func(ExceptionContext)
	logger       *slog.Logger
	executor     Executor
	noInterrupt  bool
	backend      IOBackend
	scheduleSeed uint64
	shuffle      bool // WithScheduleSeed was given
	noWatchdog   bool
	stallHandler func(Stall)
	labels       bool
}

// DefaultSlowDuration is how long one callback or task step may keep the
// loop busy before debug mode warns about it (asyncio's
// slow_callback_duration).
const DefaultSlowDuration = 100 * time.Millisecond

func newConfig(opts []Option) config {
	c := config{
		debug:        debugFromEnv(),
		slowDuration: DefaultSlowDuration,
		noWatchdog:   os.Getenv("ASYNCIOWATCHDOG") == "0",
	}
	for _, o := range opts {
		o(&c)
	}
	if c.backend == "" {
		c.backend = DefaultIOBackend()
	}
	checkBackend(c.backend)
	if c.clock == nil {
		c.clock = NewRealClock()
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	return c
}

// debugFromEnv reports whether ASYNCIODEBUG asks for debug mode, as
// PYTHONASYNCIODEBUG does for asyncio: any value but "" and "0".
func debugFromEnv() bool {
	v := os.Getenv("ASYNCIODEBUG")
	return v != "" && v != "0"
}

// WithClock makes the loop read time from c, such as a VirtualClock.
func WithClock(c Clock) Option { return func(cfg *config) { cfg.clock = c } }

// Debug turns debug mode on or off, whatever ASYNCIODEBUG says. Debug
// mode warns about slow steps, checks that loop-only calls come from the
// loop and that waits come from their task's goroutine, and records where
// each task was spawned, for the report of a failure nobody retrieved. It
// costs a few microseconds per wait.
func Debug(on bool) Option { return func(cfg *config) { cfg.debug = on } }

// WithSlowDuration sets how long a callback or task step may keep the loop
// busy before debug mode warns about it (default DefaultSlowDuration).
func WithSlowDuration(d time.Duration) Option {
	return func(cfg *config) { cfg.slowDuration = d }
}

// WithExceptionHandler sets the loop's exception handler (see
// Loop.SetExceptionHandler).
func WithExceptionHandler(h func(ExceptionContext)) Option {
	return func(cfg *config) { cfg.handler = h }
}

// WithLogger sets the logger of the default exception handler and of debug
// warnings (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// A TaskOption configures a task made by Spawn.
type TaskOption func(*taskConfig)

type taskConfig struct {
	name string
}

// Name names a task; the name shows in AllTasks, error reports and debug
// warnings. Unnamed tasks are called Task-N, N counting per loop.
func Name(name string) TaskOption { return func(c *taskConfig) { c.name = name } }
