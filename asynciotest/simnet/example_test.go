package simnet_test

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// A client and a server on two hosts 25 ms apart: on a virtual clock, the
// round trip takes exactly the simulated time, and no real time.
func ExampleNetwork() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		network, err := simnet.New(ctx, 1)
		if err != nil {
			return struct{}{}, err
		}
		network.SetDefaultLink(simnet.Link{Latency: 25 * time.Millisecond})
		srv, err := network.Host("server").StartServer(ctx, "server:7", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			line, err := r.ReadLine(ctx)
			if err != nil {
				return err
			}
			w.Write(append([]byte("echo: "), line...))
			return w.Close()
		})
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Close()

		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		r, w, err := network.Host("client").OpenConnection(ctx, "server:7")
		if err != nil {
			return struct{}{}, err
		}
		fmt.Println("connected after", loop.Time()-start)
		w.Write([]byte("hello\n"))
		reply, err := r.ReadLine(ctx)
		fmt.Printf("%q after %v, %v\n", reply, loop.Time()-start, err)
		return struct{}{}, w.Close()
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// connected after 50ms
	// "echo: hello\n" after 100ms, <nil>
}
