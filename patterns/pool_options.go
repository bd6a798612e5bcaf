package patterns

import (
	"context"
	"time"
)

// A PoolOption configures a Pool.
type PoolOption func(*poolConfig)

type poolConfig struct {
	minSize, maxSize int
	acquireTimeout   time.Duration
	healthCheck      any // func(context.Context, R) error
	maxIdle          time.Duration
	onCloseError     func(error)
}

// PoolMinSize sets the number of resources NewPool makes up front, below
// which PoolMaxIdleTime never shrinks the pool (default 0).
func PoolMinSize(n int) PoolOption { return func(c *poolConfig) { c.minSize = n } }

// PoolMaxSize sets the number of resources the pool holds at most
// (default 10).
func PoolMaxSize(n int) PoolOption { return func(c *poolConfig) { c.maxSize = n } }

// PoolAcquireTimeout bounds the time Acquire may take, waiting and making a
// resource included, on the loop's clock; when it runs out Acquire returns
// an error matching asyncio.ErrTimeout (default: no bound).
func PoolAcquireTimeout(d time.Duration) PoolOption {
	return func(c *poolConfig) { c.acquireTimeout = d }
}

// PoolHealthCheck sets a check run on every resource Acquire lends that it
// did not make for the occasion. A resource that fails it is closed and
// replaced by a new one from the factory. R must be the pool's resource
// type; NewPool panics otherwise.
func PoolHealthCheck[R any](check func(context.Context, R) error) PoolOption {
	return func(c *poolConfig) { c.healthCheck = check }
}

// PoolMaxIdleTime makes the pool close resources that have been idle for d,
// as long as it holds more than its minimum size (asyncpg's
// max_inactive_connection_lifetime; default: never).
func PoolMaxIdleTime(d time.Duration) PoolOption { return func(c *poolConfig) { c.maxIdle = d } }

// PoolOnCloseError sets the function told of errors from closing a resource
// outside Close: an idle one timed out, one that failed its health check,
// one discarded. By default they go to the loop's exception handler. Errors
// of closings during Close are returned by Close.
func PoolOnCloseError(fn func(error)) PoolOption { return func(c *poolConfig) { c.onCloseError = fn } }
