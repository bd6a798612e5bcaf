//go:build unix && !solaris && !illumos

// Workers runs one loop per core, shared-nothing: two workers, each a
// loop on an OS thread of its own, serve one TCP port. Each worker has a
// listening socket of its own on that port (SO_REUSEPORT, asyncio's
// reuse_port), and the kernel hands each new connection to one of them,
// by a hash of its addresses and ports, so that the connections spread
// over both loops with no loop handing work to another.
//
// Worker 0 is the caller's loop: the program listens there first, on a
// port the system picks, and the other worker listens on the port it got.
// A client then opens twenty connections at once and counts which worker
// answered each. (Solaris and illumos have no SO_REUSEPORT.)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/asyncio-go/asyncio"
)

// workers is how many loops serve the port.
const workers = 2

// connections is how many connections the client opens at once.
const connections = 20

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "workers:", err)
		os.Exit(1)
	}
}

// answerAs returns worker's connection handler: it reads a line and
// answers with the worker's number.
func answerAs(worker int) func(context.Context, *asyncio.StreamReader, *asyncio.StreamWriter) error {
	return func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		if _, err := r.ReadLine(ctx); err != nil {
			return err
		}
		w.Write([]byte(strconv.Itoa(worker) + "\n"))
		return w.Drain(ctx)
	}
}

// ask connects to addr, asks which worker answers, and closes.
func ask(ctx context.Context, addr string) (int, error) {
	r, w, err := asyncio.OpenConnection(ctx, addr)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	w.Write([]byte("which worker?\n"))
	line, err := r.ReadLine(ctx)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(line)))
}

// run runs the program, printing to out.
func run(out io.Writer) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// Worker 0 listens first, in this task: its loop is this one.
		first, err := asyncio.StartServer(ctx, "127.0.0.1:0", answerAs(0), asyncio.ReusePort())
		if err != nil {
			return struct{}{}, err
		}
		addr := first.Addrs()[0].String()
		w, err := asyncio.StartWorkers(ctx, workers, func(ctx context.Context, worker int) error {
			srv := first
			if worker > 0 {
				s, err := asyncio.StartServer(ctx, addr, answerAs(worker), asyncio.ReusePort())
				if err != nil {
					return err
				}
				srv = s
			}
			return srv.ServeForever(ctx) // until the workers are cancelled
		})
		if err != nil {
			first.Close()
			return struct{}{}, err
		}
		fmt.Fprintf(out, "%d workers serve 127.0.0.1 (a free port), each on its own loop and OS thread\n", w.Len())
		fmt.Fprintf(out, "Loops of the process: %d\n", len(asyncio.Loops()))

		counts, err := spread(ctx, addr)
		w.Cancel()
		if werr := w.Wait(ctx); err == nil {
			err = werr
		}
		if err != nil {
			return struct{}{}, err
		}
		var parts []string
		for i, c := range counts {
			parts = append(parts, fmt.Sprintf("worker %d answered %d", i, c))
		}
		fmt.Fprintf(out, "Connections: %s\n", strings.Join(parts, ", "))
		fmt.Fprintf(out, "Workers stopped; loops of the process: %d\n", len(asyncio.Loops()))
		return struct{}{}, nil
	})
	return err
}

// spread opens connections to addr at once, then, in the unlikely case
// that the kernel's hash gave them all to some workers, more, one at a
// time, until every worker has answered one; it returns how many
// connections each worker answered.
func spread(ctx context.Context, addr string) ([]int, error) {
	fns := make([]func(context.Context) (int, error), connections)
	for i := range fns {
		fns[i] = func(ctx context.Context) (int, error) { return ask(ctx, addr) }
	}
	answers, err := asyncio.Gather(ctx, fns...)
	if err != nil {
		return nil, err
	}
	counts := make([]int, workers)
	for _, a := range answers {
		counts[a]++
	}
	for tries := 0; tries < 1000 && slices.Contains(counts, 0); tries++ {
		a, err := ask(ctx, addr)
		if err != nil {
			return nil, err
		}
		counts[a]++
	}
	return counts, nil
}
