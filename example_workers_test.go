package asyncio_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/asyncio-go/asyncio"
)

// answerAs returns a connection handler that answers a line with the
// line, prefixed by the worker that read it.
func answerAs(worker int) func(context.Context, *asyncio.StreamReader, *asyncio.StreamWriter) error {
	return func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		line, err := r.ReadLine(ctx)
		if err != nil {
			return err
		}
		w.Write(fmt.Appendf(nil, "worker %d: %s", worker, line))
		return w.Drain(ctx)
	}
}

// Two workers, each a loop on its own thread, serve one TCP port: each
// has a listener of its own on that port (ReusePort), and the kernel
// spreads the connections over them. A client connects until both have
// answered.
func ExampleStartWorkers() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		const n = 2
		// Listen first, in the caller's task, on a port the system picks:
		// the caller's loop is worker 0's, and the other workers listen on
		// the port this server got.
		first, err := asyncio.StartServer(ctx, "127.0.0.1:0", answerAs(0), asyncio.ReusePort())
		if err != nil {
			return struct{}{}, err
		}
		addr := first.Addrs()[0].String()
		w, err := asyncio.StartWorkers(ctx, n, func(ctx context.Context, worker int) error {
			srv := first
			if worker > 0 {
				s, err := asyncio.StartServer(ctx, addr, answerAs(worker), asyncio.ReusePort())
				if err != nil {
					return err
				}
				srv = s
			}
			return srv.ServeForever(ctx) // until Cancel
		})
		if err != nil {
			return struct{}{}, err
		}
		var answers []string
		for tries := 0; len(answers) < n && tries < 1000; tries++ {
			r, wr, err := asyncio.OpenConnection(ctx, addr)
			if err != nil {
				return struct{}{}, err
			}
			wr.Write([]byte("hello\n"))
			line, err := r.ReadLine(ctx)
			wr.Close()
			if err != nil {
				return struct{}{}, err
			}
			if !slices.Contains(answers, string(line)) {
				answers = append(answers, string(line))
			}
		}
		w.Cancel()
		slices.Sort(answers)
		for _, a := range answers {
			fmt.Print(a)
		}
		return struct{}{}, w.Wait(ctx)
	})
	// Output:
	// worker 0: hello
	// worker 1: hello
}
