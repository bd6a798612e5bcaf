// Monitored is a small service to look at through the asyncio monitor: a
// producer fills a bounded job queue, three workers take jobs from it and
// commit their results under a lock, a checkpoint task holds that lock for
// a while every few seconds, a mailer waits for mail that never comes, a
// janitor sleeps, and an indexer blocks the loop now and then with a call
// that does not yield, the bug the watchdog is there to catch.
//
// It serves the monitor endpoint (package monitor) and prints where:
//
//	go run ./examples/monitored -for 10m
//	monitor listening on /tmp/asyncio-4242.sock
//
// and from another terminal:
//
//	go run ./cmd/asyncio ps 4242
//	go run ./cmd/asyncio pstree 4242
//	go run ./cmd/asyncio top 4242
//
// With -tcp 127.0.0.1:6060 it serves on TCP instead, and the monitor page
// is at http://127.0.0.1:6060/. With -deadlock, two transfer tasks take
// two locks in opposite orders and wait for each other forever: pstree
// reports the await cycle. With -hang 5s, an exporter task blocks the
// loop for good after five seconds: the monitor shows the stuck step and
// its stack. If ASYNCIOMONITOR is set, the endpoint it started is used.
//
// The program runs for the -for duration (3s by default; 0 means until
// interrupted), or until SIGINT or SIGTERM, then prints its tasks as
// `asyncio ps` would and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/monitor"
)

// options are the program's flags.
type options struct {
	tcp      string        // serve the endpoint on this loopback TCP address
	deadlock bool          // add two tasks that deadlock
	stall    time.Duration // how long each of the indexer's blocking calls takes
	hang     time.Duration // when the exporter blocks the loop for good; 0 never
}

func main() {
	var opts options
	runFor := flag.Duration("for", 3*time.Second, "how long to run; 0 runs until interrupted")
	flag.StringVar(&opts.tcp, "tcp", "", "serve the monitor on this loopback `address` (such as 127.0.0.1:6060) rather than on a Unix socket")
	flag.BoolVar(&opts.deadlock, "deadlock", false, "add two tasks that take two locks in opposite orders and deadlock")
	flag.DurationVar(&opts.stall, "stall", 250*time.Millisecond, "how long the indexer blocks the loop every few seconds; 0 never")
	flag.DurationVar(&opts.hang, "hang", 0, "after this long, block the loop until interrupted, to see a stuck loop; 0 never")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	if err := run(ctx, os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "monitored:", err)
		os.Exit(1)
	}
}

// run serves the monitor and runs the service until stop ends.
func run(stop context.Context, w io.Writer, opts options) error {
	srv := monitor.Default()
	if srv == nil {
		var mopts []monitor.Option
		if opts.tcp != "" {
			mopts = append(mopts, monitor.WithTCP(opts.tcp))
		}
		var err error
		if srv, err = monitor.Start(mopts...); err != nil {
			return err
		}
		defer srv.Close()
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			newService(stop.Done(), opts).start(g)
			// Let every task reach its first wait, so that whoever looks
			// as soon as the address is printed sees the service at work
			// (and, with -deadlock, the cycle already formed).
			for range 3 {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			announce(w, srv)
			if _, _, err := asyncio.Recv(ctx, stop.Done()); err != nil {
				return err
			}
			snap, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintln(w, "\ntasks at exit:")
			if err := snap.WriteTable(w); err != nil {
				return err
			}
			g.Cancel()
			return nil
		})
		return struct{}{}, err
	},
		// The program ends on SIGINT itself, after printing its tasks.
		asyncio.WithInterruptHandling(false),
		// Labels let a snapshot show every task's stack (the Stacks box
		// of the monitor page), and profiles group by task.
		asyncio.WithTaskLabels(true),
	)
	return err
}

// announce prints where the monitor serves and what to try.
func announce(w io.Writer, srv *monitor.Server) {
	addr := srv.Addr()
	fmt.Fprintf(w, "monitor listening on %s\n", addr)
	if addr.Network() == "tcp" {
		fmt.Fprintf(w, "  monitor page: http://%s/\n", addr)
	}
	target := addr.String()
	if target == monitor.SocketPath(os.Getpid()) {
		target = fmt.Sprint(os.Getpid()) // the asyncio command finds the socket from the pid
	}
	fmt.Fprintf(w, "  try: go run ./cmd/asyncio pstree %s\n", target)
}
