package aiohttp

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors of the client.
var (
	// ErrSessionClosed is returned by requests on a closed Session.
	ErrSessionClosed = errors.New("aiohttp: session is closed")
	// ErrNoLoop is returned by a request made from a plain goroutine on a
	// session that no task has used yet: it has no loop to run on.
	ErrNoLoop = errors.New("aiohttp: session has no loop yet; make its first request from a task")
	// ErrOtherLoop is returned by a request from a task of another loop
	// than the one the session is bound to.
	ErrOtherLoop = errors.New("aiohttp: session belongs to another loop")
	// ErrServerDisconnected reports that the server closed the
	// connection before the response was complete
	// (aiohttp.ServerDisconnectedError).
	ErrServerDisconnected = errors.New("aiohttp: server disconnected")
)

// ServerDisconnectedError reports a connection lost by an error before
// the response was complete; it satisfies errors.Is(err,
// ErrServerDisconnected) and unwraps to the connection's error.
type ServerDisconnectedError struct{ Err error }

// Error describes the error.
func (e *ServerDisconnectedError) Error() string {
	return "aiohttp: server disconnected: " + e.Err.Error()
}

// Is reports that the error is ErrServerDisconnected.
func (e *ServerDisconnectedError) Is(target error) bool { return target == ErrServerDisconnected }

// Unwrap returns the connection's error.
func (e *ServerDisconnectedError) Unwrap() error { return e.Err }

// ResponseError is the error of RaiseForStatus for a status of 400 or
// more (aiohttp.ClientResponseError).
type ResponseError struct {
	StatusCode int
	Status     string
	Method     string
	URL        string
	Header     http.Header
}

// Error describes the error.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("aiohttp: %s %s: %s", e.Method, e.URL, e.Status)
}

// ProtocolError reports a response the client could not parse
// (aiohttp.ClientPayloadError, ClientResponseError on a bad head).
type ProtocolError struct{ Err error }

// Error describes the error.
func (e *ProtocolError) Error() string { return "aiohttp: bad response: " + e.Err.Error() }

// Unwrap returns the parser's error.
func (e *ProtocolError) Unwrap() error { return e.Err }
