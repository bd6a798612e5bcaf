// Simnet runs a key-value client and server on a simulated network
// (package asynciotest/simnet) whose link loses a tenth of its packets and
// is cut, for three seconds, by a partition. The client gives each request
// a timeout, and after a failure drops its connection, backs off and tries
// again on a new one. The connections it gives up end on the server once
// their last packets get through after the partition; the server also
// closes a connection idle for ten seconds, as a server must, or a client
// gone for good behind a partition would hold one forever. Every request
// succeeds in the end, and the program checks the values it reads back.
//
// The network and the loop's schedule both draw from -seed, and the loop
// runs on a virtual clock, so the program prints the same transcript, in
// loop time, every time it runs with a seed, in milliseconds of real
// time; another seed loses other packets and prints another story. A bug
// that shows under one seed is replayed by running that seed again.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

func main() {
	seed := flag.Uint64("seed", 1, "the seed of the network's losses and of the loop's schedule")
	flag.Parse()
	if err := run(os.Stdout, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "simnet:", err)
		os.Exit(1)
	}
}

// The scenario.
const (
	serverAddr     = "server:7000"
	partitionAt    = 1500 * time.Millisecond
	partitionFor   = 3 * time.Second
	requestTimeout = 300 * time.Millisecond
	idleTimeout    = 10 * time.Second
)

// link is the path between the client and the server.
var link = simnet.Link{Latency: 20 * time.Millisecond, Jitter: 10 * time.Millisecond, Loss: 0.1}

// requests is what the client asks, in order, with the answer each must
// get.
var requests = []struct{ req, want string }{
	{"SET color blue", "OK"},
	{"SET shape circle", "OK"},
	{"GET color", "VALUE blue"},
	{"SET size large", "OK"},
	{"GET shape", "VALUE circle"},
	{"SET color green", "OK"},
	{"GET weight", "MISSING"},
	{"GET color", "VALUE green"},
	{"SET weight 12kg", "OK"},
	{"GET size", "VALUE large"},
	{"GET weight", "VALUE 12kg"},
	{"SET done yes", "OK"},
}

// run runs the scenario under seed, printing the transcript to w.
func run(w io.Writer, seed uint64) error {
	clock := asyncio.NewVirtualClock()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		logf := func(format string, args ...any) {
			fmt.Fprintf(w, "%8.3fs  %s\n", loop.Time().Seconds(), fmt.Sprintf(format, args...))
		}
		network, err := simnet.New(ctx, seed)
		if err != nil {
			return struct{}{}, err
		}
		network.SetLink("client", "server", link)
		logf("seed %d: latency %v plus up to %v, %.0f%% loss; partition at %v for %v",
			seed, link.Latency, link.Jitter, 100*link.Loss, partitionAt, partitionFor)

		srv, err := serve(ctx, network.Host("server"), logf)
		if err != nil {
			return struct{}{}, err
		}
		loop.CallLater(partitionAt, func() {
			network.Partition("client", "server")
			logf("network: partition between client and server")
		})
		loop.CallLater(partitionAt+partitionFor, func() {
			network.Heal("client", "server")
			logf("network: partition healed")
		})

		c := &client{host: network.Host("client"), addr: serverAddr, logf: logf}
		failed := 0
		for _, r := range requests {
			got, err := c.do(ctx, r.req)
			switch {
			case err != nil:
				return struct{}{}, err
			case got != r.want:
				logf("WRONG: %s answered %q, want %q", r.req, got, r.want)
				failed++
			}
			// The client's pace: a request every 200ms at most.
			if err := asyncio.Sleep(ctx, 200*time.Millisecond); err != nil {
				return struct{}{}, err
			}
		}
		c.close()
		logf("client: %d requests, %d attempts, %d wrong answers", len(requests), c.attempts, failed)

		// The server stops listening, and waits for its last
		// connections to end and their handlers to return.
		srv.Close()
		if err := srv.WaitClosed(ctx); err != nil {
			return struct{}{}, err
		}
		s := network.Stats()
		logf("network: %d packets sent, %d lost", s.Packets, s.Lost)
		if failed > 0 {
			return struct{}{}, fmt.Errorf("%d wrong answers", failed)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(clock), asyncio.WithScheduleSeed(seed))
	return err
}
