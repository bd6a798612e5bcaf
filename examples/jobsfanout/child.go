package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A child is a worker running in a process of its own: this program,
// started again with the worker's flags.
type child struct {
	p       *asyncio.Process
	stopped bool
}

// start starts self with args and waits for its first line, which says
// it is ready.
func start(ctx context.Context, self command, args ...string) (*child, error) {
	opts := []asyncio.ProcOption{asyncio.Stdout(asyncio.Pipe), asyncio.ProcessGroup(false)}
	if self.env != nil {
		opts = append(opts, asyncio.Env(self.env))
	}
	p, err := asyncio.CreateSubprocessExec(ctx, self.path, args, opts...)
	if err != nil {
		return nil, err
	}
	c := &child{p: p}
	err = asyncio.Timeout(ctx, 30*time.Second, func(ctx context.Context) error {
		_, err := p.Stdout.ReadLine(ctx)
		return err
	})
	if err != nil {
		c.kill(ctx)
		return nil, fmt.Errorf("%s %s did not start: %w", self.path, strings.Join(args, " "), err)
	}
	return c, nil
}

// terminate asks the child to shut down, with SIGTERM as a service
// manager would.
func (c *child) terminate() error {
	c.stopped = true
	return c.p.Terminate()
}

// wait waits until the child has ended, and returns what it printed
// since its first line.
func (c *child) wait(ctx context.Context) (string, error) {
	rest, _, err := c.p.Communicate(ctx, nil)
	if err != nil {
		return string(rest), err
	}
	code, err := c.p.Wait(ctx)
	if err == nil && code != 0 {
		err = fmt.Errorf("a worker exited with status %d", code)
	}
	return string(rest), err
}

// kill ends the child at once, unless stop did already.
func (c *child) kill(ctx context.Context) {
	if c.stopped {
		return
	}
	c.stopped = true
	c.p.Kill()
	c.p.Wait(context.WithoutCancel(ctx))
}
