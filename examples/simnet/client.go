package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// maxAttempts is how many times the client tries a request; the backoff
// between attempts doubles from 100ms, so the last ones wait out a
// partition of several seconds.
const maxAttempts = 10

// A client sends requests to the server over one connection at a time. A
// request that fails or times out costs the connection: an answer that
// comes late must not be taken for the next request's.
type client struct {
	host     *simnet.Host
	addr     string
	logf     func(string, ...any)
	r        *asyncio.StreamReader
	w        *asyncio.StreamWriter
	attempts int
}

// do sends req until an attempt gets an answer, and returns the answer.
// SET and GET may be repeated without harm, so a request whose answer was
// lost can be sent again.
func (c *client) do(ctx context.Context, req string) (string, error) {
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		c.attempts++
		got, err := asyncio.WaitFor(ctx, requestTimeout, func(ctx context.Context) (string, error) {
			return c.try(ctx, req)
		})
		if err == nil {
			c.logf("client: %s -> %s (attempt %d)", req, got, attempt)
			return got, nil
		}
		c.logf("client: %s: attempt %d: %s", req, attempt, describe(err))
		c.drop()
		if attempt == maxAttempts {
			return "", fmt.Errorf("%s: gave up after %d attempts: %w", req, attempt, err)
		}
		if err := asyncio.Sleep(ctx, backoff); err != nil {
			return "", err
		}
		backoff *= 2
	}
}

// try sends req on the connection, opening one if there is none, and
// reads the answer.
func (c *client) try(ctx context.Context, req string) (string, error) {
	if c.w == nil {
		r, w, err := c.host.OpenConnection(ctx, c.addr)
		if err != nil {
			return "", err
		}
		c.r, c.w = r, w
	}
	if err := c.w.Write([]byte(req + "\n")); err != nil {
		return "", err
	}
	line, err := c.r.ReadLine(ctx)
	if errors.Is(err, io.EOF) {
		return "", errors.New("the server closed the connection")
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(line)), nil
}

// drop aborts the connection, if there is one.
func (c *client) drop() {
	if c.w != nil {
		c.w.Transport().Abort()
		c.r, c.w = nil, nil
	}
}

// close closes the connection once the client is done.
func (c *client) close() {
	if c.w != nil {
		c.w.Close()
		c.r, c.w = nil, nil
	}
}

// describe says briefly why an attempt failed.
func describe(err error) string {
	if errors.Is(err, asyncio.ErrTimeout) {
		return "no answer within " + requestTimeout.String()
	}
	return err.Error()
}
