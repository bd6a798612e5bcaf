// Asyncio looks into a running Go program that uses asyncio, through the
// debug endpoint of package monitor, as Python's `python -m asyncio ps`
// and `pstree` look into a Python process.
//
// Usage:
//
//	asyncio ps PID|ADDR
//	asyncio pstree PID|ADDR
//	asyncio top [-interval 1s] [-n N] PID|ADDR
//	asyncio trace [-seconds 5] [-o trace.json] [-loop ID] PID|ADDR
//
// ps prints the tasks of each loop of the program, one line each: what
// each waits in, the tasks it waits for, for how long, and its parent.
// pstree prints them as a tree by the task that spawned them, and ends
// with the await cycles among them, the deadlocks, each on a line
// starting "await cycle:". Either also reports a step that is blocking
// the loop, with its stack. Their output is asyncio.Snapshot's WriteTable
// and WriteTree, one block per loop.
//
// top prints the same table again every -interval, with the loop lag and
// the slowest steps above it, until interrupted or -n times.
//
// trace records the loop's task steps and waits for -seconds and writes
// them to the file -o ("-" for standard output) in the Chrome trace event
// format: open it at https://ui.perfetto.dev or in chrome://tracing. It
// traces the program's first loop unless -loop names another.
//
// PID is the process id of a program serving the endpoint on its default
// Unix socket (monitor.SocketPath, in the directory of temporary files,
// so the program and the command must agree on TMPDIR); ADDR is the path
// of a Unix socket, or a HOST:PORT to reach over TCP. Flags may come
// before or after it.
//
// The program must serve the endpoint: either it imports package monitor
// and runs with ASYNCIOMONITOR=1 in its environment, or it calls
// monitor.Start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage:
  asyncio ps PID|ADDR          the tasks of each loop
  asyncio pstree PID|ADDR      the tasks as a tree, and the await cycles
  asyncio top [-interval 1s] [-n N] PID|ADDR
                               the tasks, refreshed
  asyncio trace [-seconds 5] [-o trace.json] [-loop ID] PID|ADDR
                               record a Chrome trace of a loop

PID is a process serving the asyncio monitor on its default socket; ADDR is
a Unix socket's path or a HOST:PORT. The program serves the monitor if it
imports github.com/asyncio-go/asyncio/monitor and runs with ASYNCIOMONITOR=1,
or calls monitor.Start.
`

// errUsage is returned for a command line that makes no sense; the usage
// has been printed.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "asyncio:", err)
		os.Exit(1)
	}
}

// run runs the command line args, writing its output to stdout and its
// messages to stderr, until it is done or ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("asyncio "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	var do func(context.Context, *endpoint) error
	switch cmd {
	case "ps":
		do = func(ctx context.Context, e *endpoint) error { return ps(ctx, e, stdout, false) }
	case "pstree":
		do = func(ctx context.Context, e *endpoint) error { return ps(ctx, e, stdout, true) }
	case "top":
		interval := fs.Duration("interval", defaultInterval, "time between refreshes")
		n := fs.Int("n", 0, "refresh this many times, then exit; 0: until interrupted")
		do = func(ctx context.Context, e *endpoint) error { return top(ctx, e, stdout, *interval, *n) }
	case "trace":
		seconds := fs.Float64("seconds", 5, "how long to record, in seconds (at most 60)")
		out := fs.String("o", "trace.json", "the `file` to write the trace to; - for standard output")
		loop := fs.Uint64("loop", 0, "the `id` of the loop to trace; 0: the program's first loop")
		do = func(ctx context.Context, e *endpoint) error {
			return trace(ctx, e, stdout, stderr, *seconds, *out, *loop)
		}
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "asyncio: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
	target, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	e, err := dial(target)
	if err != nil {
		return err
	}
	defer e.close()
	return do(ctx, e)
}

// parseArgs parses the flags of a command and its one operand, PID or
// ADDR, with the flags before or after it.
func parseArgs(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", errUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(fs.Output(), "%s: which process? Give a PID or an ADDR.\n\n", fs.Name())
		fs.Usage()
		return "", errUsage
	}
	target := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: one process at a time; unexpected %q\n\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return "", errUsage
	}
	return target, nil
}
