// Jobsfanout fans 10,000 jobs out to worker processes and fans their
// results back in, on package jobs (NATS JetStream): the coordinator
// starts 4 workers (this program again, with -role worker), enqueues one
// job per number from 1 to 10,000 (how many steps its Collatz sequence
// takes to reach 1), awaits every result, one task per job, and prints a
// summary that it checks against the same sums computed in the
// coordinator. Then it stops the workers with SIGTERM; each shuts down
// gracefully.
//
//	go run ./examples/jobsfanout
//	go run ./examples/jobsfanout -jobs 100000 -workers 2
//
// Which worker ran which job differs from run to run, so the standard
// output says only what does not: the jobs per worker and the time taken
// go to the standard error. The server is -nats, by default NATS_URL or
// nats://127.0.0.1:4222, with JetStream; the coordinator makes a queue of
// its own and deletes it at the end.
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
		err = cli(os.Args[1:], os.Stdout, os.Stderr, command{path: self})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "jobsfanout:", err)
		os.Exit(1)
	}
}

// A command is how the coordinator starts a worker: this program, with
// the worker's flags added.
type command struct {
	path string
	env  []string // the environment, if not this process's
}

// cli runs the program with the command-line arguments args: what does
// not change from run to run goes to out, the rest to log.
func cli(args []string, out, log io.Writer, self command) error {
	fs := flag.NewFlagSet("jobsfanout", flag.ContinueOnError)
	role := fs.String("role", "", "worker; none: the coordinator")
	queue := fs.String("queue", "", "the job queue (default a fresh one, deleted at the end)")
	natsURL := fs.String("nats", "", "the NATS server (default $NATS_URL or nats://127.0.0.1:4222)")
	n := fs.Int("jobs", 10000, "for the coordinator: how many jobs")
	workers := fs.Int("workers", 4, "for the coordinator: how many worker processes")
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
		if *n < 1 || *workers < 1 {
			return errors.New("-jobs and -workers must be at least 1")
		}
		return coordinate(out, log, self, *natsURL, *queue, *n, *workers)
	case "worker":
		if *queue == "" {
			return errors.New("-role worker needs -queue")
		}
		err := untilSignalled(func(ctx context.Context) error {
			ran, err := work(ctx, *natsURL, *queue, func() { fmt.Fprintln(out, "ready") })
			fmt.Fprintf(out, "ran %d\n", ran)
			return err
		})
		if errors.Is(err, context.Canceled) {
			err = nil // the signal's: the worker shut down as asked
		}
		return err
	}
	return fmt.Errorf("unknown role %q", *role)
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
