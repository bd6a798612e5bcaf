//go:build unix

// Echo ports the seed tutorials' "TCP echo server and client": a server
// made with StartServer sends back whatever each client writes, one task
// per connection, and three clients, running at once, each send a message
// and read the echo. The server listens on a free port of 127.0.0.1 (the
// seed uses 8888), serves until the clients are done, then closes and
// waits for its connections to end.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// echo is the connection handler: it writes back what it reads until the
// client closes its side.
func echo(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
	for {
		data, err := r.Read(ctx, 100)
		if err != nil {
			// io.EOF: the client is done (no failure); returning
			// closes the connection.
			return err
		}
		w.Write(data)
		if err := w.Drain(ctx); err != nil {
			return err
		}
	}
}

// client sends message, reads the echo and closes.
func client(ctx context.Context, addr, message string) (string, error) {
	r, w, err := asyncio.OpenConnection(ctx, addr)
	if err != nil {
		return "", err
	}
	w.Write([]byte(message))
	w.WriteEOF() // nothing more to send: the server's Read sees the end
	data, err := r.Read(ctx, -1)
	if err != nil {
		return "", err
	}
	w.Close()
	return string(data), w.WaitClosed(ctx)
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	var lines []string // appended to by the clients' tasks: one runs at a time, no lock
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		server, err := asyncio.StartServer(ctx, "127.0.0.1:0", echo)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "Serving on 127.0.0.1 (a free port)")
		messages := []string{"Hello World!", "asyncio for Go", "echo, echo"}
		fns := make([]func(context.Context) (string, error), len(messages))
		for i, m := range messages {
			fns[i] = func(ctx context.Context) (string, error) {
				got, err := client(ctx, server.Addrs()[0].String(), m)
				lines = append(lines, fmt.Sprintf("Send: %q, received: %q", m, got))
				return got, err
			}
		}
		if _, err := asyncio.Gather(ctx, fns...); err != nil {
			return struct{}{}, err
		}
		slices.Sort(lines) // the clients finish in any order
		fmt.Fprintln(w, strings.Join(lines, "\n"))
		server.Close()
		if err := server.WaitClosed(ctx); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "Server closed")
		return struct{}{}, nil
	}, opts...)
	return err
}
