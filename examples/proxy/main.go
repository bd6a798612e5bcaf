//go:build unix

// Proxy is a TCP proxy made with streams: a server made with StartServer
// opens, for each client it accepts, a connection to an upstream server
// with OpenConnection, and copies bytes both ways at once, one task a
// direction in a task group. When one side finishes sending, the proxy
// passes the half-close on (WriteEOF) and keeps copying the other way;
// once both directions are done, both connections are closed.
//
// The program runs three things on one loop: an upstream server that
// answers every line, the proxy in front of it, and a client that talks
// to the upstream through the proxy, then shuts its side and reads the
// last answers. Both servers listen on free ports of 127.0.0.1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(1)
	}
}

// upstream is the handler of the server behind the proxy: it answers each
// line, and closes once the client has finished sending.
func upstream(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
	for {
		line, err := r.ReadLine(ctx)
		if err != nil {
			return err // io.EOF, no failure; returning closes the connection
		}
		w.Write([]byte("echo: " + string(line)))
		if err := w.Drain(ctx); err != nil {
			return err
		}
	}
}

// A proxy forwards the connections it accepts to the server at upstream.
type proxy struct {
	upstream string
	log      []string // one entry a connection; only the loop's tasks touch it
}

// serve is the proxy's connection handler: it connects to the upstream
// and copies between the two connections until both directions are done.
// Returning closes the client's connection; the deferred Close, the
// upstream's.
func (p *proxy) serve(ctx context.Context, cr *asyncio.StreamReader, cw *asyncio.StreamWriter) error {
	ur, uw, err := asyncio.OpenConnection(ctx, p.upstream)
	if err != nil {
		return err // the client's connection is closed: it sees the end at once
	}
	defer uw.Close()
	var up, down int
	// If one direction fails (a connection reset, say), the group cancels
	// the other, and both connections are closed.
	err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		g.Go(func(ctx context.Context) (err error) { up, err = pipe(ctx, cr, uw); return err })
		g.Go(func(ctx context.Context) (err error) { down, err = pipe(ctx, ur, cw); return err })
		return nil
	})
	p.log = append(p.log, fmt.Sprintf("%d bytes up, %d bytes down", up, down))
	return err
}

// pipe copies from r to w until the end of r's stream, then shuts w's
// write side, as the one that sent to r did, and returns how many bytes
// it copied. A half-close is how a client says "that is all my request"
// while it still reads the answer: closing w entirely instead would cut
// off the answer.
//
// Waiting in Drain after each write is the backpressure: while w's peer
// reads slowly, pipe stops reading r, r's buffer fills up and r's
// connection stops reading from its socket, so the proxy holds no more
// than a few buffers per connection, however fast the sender.
func pipe(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) (int, error) {
	n := 0
	for {
		data, err := r.Read(ctx, 32<<10)
		if errors.Is(err, io.EOF) {
			return n, w.WriteEOF()
		}
		if err != nil {
			return n, err
		}
		n += len(data)
		if err := w.Write(data); err != nil {
			return n, err
		}
		if err := w.Drain(ctx); err != nil {
			return n, err
		}
	}
}

// client talks to the upstream through the proxy at addr: it sends each
// of lines and reads the answer, then sends last and shuts its side, and
// reads what comes until the end of the stream.
func client(ctx context.Context, w io.Writer, addr string, lines []string, last string) error {
	r, cw, err := asyncio.OpenConnection(ctx, addr)
	if err != nil {
		return err
	}
	defer cw.Close()
	for _, line := range lines {
		cw.Write([]byte(line + "\n"))
		answer, err := r.ReadLine(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "client: sent %q, received %q\n", line, strings.TrimSuffix(string(answer), "\n"))
	}
	// The last line and the end of the request go together; the answer
	// still comes back, over the half of the connection still open.
	cw.Write([]byte(last + "\n"))
	if err := cw.WriteEOF(); err != nil {
		return err
	}
	fmt.Fprintf(w, "client: sent %q and shut its side\n", last)
	rest, err := r.Read(ctx, -1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "client: received %q, then the end of the stream\n", strings.TrimSuffix(string(rest), "\n"))
	cw.Close()
	return cw.WaitClosed(ctx)
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		up, err := asyncio.StartServer(ctx, "127.0.0.1:0", upstream)
		if err != nil {
			return struct{}{}, err
		}
		defer up.Close()
		fmt.Fprintln(w, "upstream: serving on 127.0.0.1 (a free port)")
		p := &proxy{upstream: up.Addrs()[0].String()}
		front, err := asyncio.StartServer(ctx, "127.0.0.1:0", p.serve)
		if err != nil {
			return struct{}{}, err
		}
		defer front.Close()
		fmt.Fprintln(w, "proxy: serving on 127.0.0.1 (another free port), forwarding to the upstream")

		lines := []string{"Hello World!", "asyncio for Go", "through a proxy"}
		if err := client(ctx, w, front.Addrs()[0].String(), lines, "goodbye"); err != nil {
			return struct{}{}, err
		}

		// Close both servers and wait for their connections to end: then
		// every handler has returned and written its log entry.
		front.Close()
		up.Close()
		if err := front.WaitClosed(ctx); err != nil {
			return struct{}{}, err
		}
		if err := up.WaitClosed(ctx); err != nil {
			return struct{}{}, err
		}
		for i, entry := range p.log {
			fmt.Fprintf(w, "proxy: connection %d: %s\n", i+1, entry)
		}
		fmt.Fprintln(w, "servers closed")
		return struct{}{}, nil
	}, opts...)
	return err
}
