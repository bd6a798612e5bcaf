package aiohttp

import (
	"errors"
	"fmt"

	"github.com/asyncio-go/asyncio"
)

var (
	// ErrWorkersNotSupported is returned by Serve given Workers(n) with
	// n > 1 and a Unix socket address: a path names one listening
	// socket, and SO_REUSEPORT makes no group of them on Linux to spread
	// the connections over.
	ErrWorkersNotSupported = errors.New("aiohttp: Workers(n > 1) needs a TCP address")
	// errConnClosed is what a handler's writes and reads return once its
	// connection is closed.
	errConnClosed = errors.New("aiohttp: connection closed")
	// errClientGone is the cause with which a request's task is
	// cancelled when the client shuts its side of the connection.
	errClientGone = errors.New("aiohttp: client closed its side of the connection")
	// errHandlerTimeout is the cause with which HandlerTimeout cancels a
	// request's task.
	errHandlerTimeout = errors.New("aiohttp: handler timeout")
	// errShutdown is the cause with which Shutdown and Close cancel the
	// tasks of requests still running.
	errShutdown = errors.New("aiohttp: server shut down")
)

func errNoTask(call string) error {
	return fmt.Errorf("aiohttp: %s must be called from a task: %w", call, asyncio.ErrNoTask)
}
