package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/asyncio-go/asyncio/jobs"
	"github.com/asyncio-go/asyncio/patterns"
)

// collatzFunc is the name the job function is registered and enqueued
// under.
const collatzFunc = "collatz"

// collatz is the job function: how many steps n's Collatz sequence
// (n/2 if n is even, 3n+1 if odd) takes to reach 1. Pure computation,
// a few microseconds: the example measures the queue, not the work.
func collatz(ctx context.Context, n int64) (int, error) {
	if n < 1 {
		return 0, patterns.Permanent(fmt.Errorf("collatz(%d): not a positive number", n))
	}
	steps := 0
	for ; n != 1; steps++ {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
	}
	return steps, nil
}

// work is the worker role: it runs collatz jobs until ctx ends, then
// shuts down gracefully, and returns how many jobs it ran.
func work(ctx context.Context, natsURL, queue string, ready func()) (int, error) {
	c, err := jobs.Connect(ctx, natsURL)
	if err != nil {
		return 0, err
	}
	w := jobs.NewWorker(c, queue, jobs.Concurrency(32))
	ran := 0 // the job tasks share the loop: no lock needed
	jobs.Register(w, collatzFunc, func(ctx context.Context, n int64) (int, error) {
		ran++
		return collatz(ctx, n)
	})
	ready()
	err = w.Run(ctx)
	return ran, errors.Join(err, c.Close(context.WithoutCancel(ctx)))
}
