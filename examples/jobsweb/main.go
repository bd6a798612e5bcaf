// Jobsweb is a web front for a job queue: an HTTP API that takes requests
// for work and answers at once, and worker processes that do the work, on
// package jobs (NATS JetStream) and package aiohttp/api. It is Celery's or
// arq's usual place in a web application, in one program with roles:
//
//	jobsweb -role web -listen 127.0.0.1:8080    # the API
//	jobsweb -role worker                        # as many as you like, anywhere
//
//	POST /thumbnails {"url": "...", "size": 64}  202 {"id": ..., "status": "queued"}, Location
//	GET  /thumbnails/{id}[?wait=SECONDS]         200 done or failed; 202 pending
//
// A thumbnail job is enqueued under an id made from the request, so the
// same request twice within the queue's duplicate window is one job. The
// GET looks for the result, or waits for it as long as ?wait says, and
// answers 202 "pending" if it has not come: the waiting is a wait of the
// request's task, so a slow job holds no thread and stops no other
// request. The job function draws the thumbnail from the URL alone (no
// download), so the program runs offline.
//
// With no role, the program shows it all: it starts the web role and,
// later, one worker, each a process of its own (the program started
// again), plays a client against the API, then stops both gracefully
// with SIGTERM and prints what each said:
//
//	go run ./examples/jobsweb
//
// The server is -nats, by default NATS_URL or nats://127.0.0.1:4222, with
// JetStream. The roles use the queue -queue ("thumbnails"); the
// demonstration makes a queue of its own and deletes it at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/asyncio-go/asyncio"
)

func main() {
	self, err := os.Executable()
	if err == nil {
		err = cli(os.Args[1:], os.Stdout, command{path: self})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "jobsweb:", err)
		os.Exit(1)
	}
}

// A command is how the demonstration starts the roles: this program,
// with the role's flags added.
type command struct {
	path string
	env  []string // the environment, if not this process's
}

// cli runs the program with the command-line arguments args.
func cli(args []string, out io.Writer, self command) error {
	fs := flag.NewFlagSet("jobsweb", flag.ContinueOnError)
	role := fs.String("role", "", "web or worker; none: show both at work")
	listen := fs.String("listen", "127.0.0.1:8080", "for -role web: the address to serve on")
	queue := fs.String("queue", "", `the job queue (default "thumbnails"); with no role, the queue the demonstration makes and deletes (default a fresh one)`)
	natsURL := fs.String("nats", "", "the NATS server (default $NATS_URL or nats://127.0.0.1:4222)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *natsURL == "" {
		*natsURL = os.Getenv("NATS_URL")
	}
	if *natsURL == "" {
		*natsURL = "nats://127.0.0.1:4222"
	}
	switch *role {
	case "":
		return demo(out, self, *natsURL, *queue)
	case "web", "worker":
		if *queue == "" {
			*queue = "thumbnails"
		}
		err := untilSignalled(func(ctx context.Context) error {
			if *role == "web" {
				err := serveWeb(ctx, *natsURL, *queue, *listen, func(addr string) {
					fmt.Fprintf(out, "web: serving on http://%s\n", addr)
				})
				fmt.Fprintln(out, "web: stopped")
				return err
			}
			ran, err := work(ctx, *natsURL, *queue, func() { fmt.Fprintln(out, "worker: ready") })
			fmt.Fprintf(out, "worker: stopped after %d jobs\n", ran)
			return err
		})
		if errors.Is(err, context.Canceled) {
			err = nil // the signal's: the role shut down as asked
		}
		return err
	}
	return fmt.Errorf("unknown role %q: web or worker", *role)
}

// untilSignalled runs fn on a loop, with a ctx that ends at the first
// SIGTERM or SIGINT: fn shuts down gracefully then (a role), or cleans
// up and returns the ctx's error.
func untilSignalled(fn func(ctx context.Context) error) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGINT} {
			if err := loop.AddSignalHandler(sig, stop); err != nil {
				return struct{}{}, err
			}
			defer loop.RemoveSignalHandler(sig)
		}
		return struct{}{}, fn(ctx)
	}, asyncio.WithInterruptHandling(false))
	return err
}
