package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/jobs"
)

// demo starts the web role, plays a client against it, starts a worker,
// plays on, then stops both gracefully and prints what they said. Its
// output is the same on every run. It uses queue, made for it (a fresh
// name if empty), and deletes the queue at the end.
func demo(out io.Writer, self command, natsURL, queue string) error {
	if queue == "" {
		var b [4]byte
		rand.Read(b[:])
		queue = "jobsweb-" + hex.EncodeToString(b[:])
	}
	role := func(args ...string) []string {
		return append(args, "-queue", queue, "-nats", natsURL)
	}
	return untilSignalled(func(ctx context.Context) (err error) {
		defer func() { err = errors.Join(err, deleteQueue(context.WithoutCancel(ctx), natsURL, queue)) }()

		web, ready, err := start(ctx, self, role("-role", "web", "-listen", "127.0.0.1:0"))
		if err != nil {
			return err
		}
		defer web.kill(ctx)
		base, ok := strings.CutPrefix(ready, "web: serving on ")
		if !ok {
			return fmt.Errorf("the web role said %q", ready)
		}
		session := aiohttp.NewSession()
		defer session.Close(context.WithoutCancel(ctx))
		cl := &client{out: out, s: session, base: base}

		fmt.Fprintln(out, "== the web role runs; no worker yet")
		var ids []string
		for _, body := range []string{
			`{"url": "https://example.com/photos/cat.png"}`,
			`{"url": "https://example.com/photos/dog.jpg", "size": 128}`,
			`{"url": "https://example.com/notes.txt"}`,
			`{"url": "https://example.com/photos/cat.png"}`, // the same job: the same id
			`{"url": "not a URL"}`,
		} {
			st, err := cl.call(ctx, "POST", "/thumbnails", body)
			if err != nil {
				return err
			}
			if st.ID != "" && !slices.Contains(ids, st.ID) {
				ids = append(ids, st.ID)
			}
		}
		if len(ids) != 3 {
			return fmt.Errorf("%d jobs enqueued, want 3", len(ids))
		}
		if _, err := cl.call(ctx, "GET", "/thumbnails/"+ids[0], ""); err != nil {
			return err
		}

		worker, _, err := start(ctx, self, role("-role", "worker"))
		if err != nil {
			return err
		}
		defer worker.kill(ctx)
		fmt.Fprintln(out, "== a worker runs")
		for _, id := range ids {
			if _, err := cl.call(ctx, "GET", "/thumbnails/"+id+"?wait=10", ""); err != nil {
				return err
			}
		}

		fmt.Fprintln(out, "== SIGTERM to both")
		for _, p := range []*child{web, worker} {
			said, err := p.stop(ctx)
			fmt.Fprint(out, said)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// A client prints each request it makes and the answer.
type client struct {
	out  io.Writer
	s    *aiohttp.Session
	base string
}

// call makes a request with a JSON body (or none), prints it and the
// answer, and returns the answer decoded as a JobStatus (zero if it is
// not one).
func (c *client) call(ctx context.Context, method, path, body string) (JobStatus, error) {
	var opts []aiohttp.RequestOption
	shown := method + " " + path
	if body != "" {
		opts = append(opts, aiohttp.Body(strings.NewReader(body), "application/json"))
		shown += " " + body
	}
	resp, err := c.s.Request(ctx, method, c.base+path, opts...)
	if err != nil {
		return JobStatus{}, err
	}
	var st JobStatus
	text, err := resp.Text(ctx)
	if err != nil {
		return st, err
	}
	fmt.Fprintf(c.out, "%s\n  -> %d %s\n", shown, resp.StatusCode, strings.TrimSpace(text))
	if resp.Header.Get("Content-Type") == "application/json" {
		err = json.Unmarshal([]byte(text), &st)
	}
	return st, err
}

// A child is a role running in a process of its own: this program,
// started again with the role's flags.
type child struct {
	p       *asyncio.Process
	stopped bool
}

// start starts self with args and waits for its first line, which says
// it is ready.
func start(ctx context.Context, self command, args []string) (*child, string, error) {
	opts := []asyncio.ProcOption{asyncio.Stdout(asyncio.Pipe), asyncio.ProcessGroup(false)}
	if self.env != nil {
		opts = append(opts, asyncio.Env(self.env))
	}
	p, err := asyncio.CreateSubprocessExec(ctx, self.path, args, opts...)
	if err != nil {
		return nil, "", err
	}
	c := &child{p: p}
	var line []byte
	err = asyncio.Timeout(ctx, 30*time.Second, func(ctx context.Context) error {
		line, err = p.Stdout.ReadLine(ctx)
		return err
	})
	if err != nil {
		c.kill(ctx)
		return nil, "", fmt.Errorf("%s %s did not start: %w", self.path, strings.Join(args, " "), err)
	}
	return c, strings.TrimSpace(string(line)), nil
}

// stop asks the child to shut down (SIGTERM, as a service manager would),
// waits until it has, and returns what it printed meanwhile.
func (c *child) stop(ctx context.Context) (string, error) {
	c.stopped = true
	if err := c.p.Terminate(); err != nil {
		return "", err
	}
	rest, _, err := c.p.Communicate(ctx, nil)
	if err != nil {
		return string(rest), err
	}
	code, err := c.p.Wait(ctx)
	if err == nil && code != 0 {
		err = fmt.Errorf("a role exited with status %d", code)
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

// deleteQueue deletes the streams of the job queue and its results.
func deleteQueue(ctx context.Context, natsURL, queue string) error {
	c, err := jobs.Connect(ctx, natsURL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return jobs.DeleteQueue(ctx, c, queue)
}
