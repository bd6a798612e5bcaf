// Command gojobs is the hand-written nats.go side of bench/run.sh's jobs
// workload: a JetStream work-queue stream, one durable pull consumer, and
// worker processes that each Consume from it and acknowledge every message,
// with no framework in between. It is a module of its own so that the
// library's module never links it.
//
//	gojobs run -url URL -n N -workers W [-broker-pid PID]
//	gojobs worker -url URL -stream NAME -consumer NAME   (started by run)
//	gojobs versions -url URL   nats.go's version and the server's
//
// run makes a fresh stream (file storage, work-queue retention) and its
// consumer, starts W worker processes and waits until each has its pull
// subscription at the server. Then the clock starts: it publishes N small
// JSON jobs with PublishAsync (at most 4,000 unacknowledged, nats.go's
// default), waits for every publish acknowledgement, and polls the stream
// until it holds no message: on a work-queue stream a message goes when its
// consumer acknowledges it, so an empty stream after N acknowledged
// publishes is N jobs acknowledged. The clock stops there. It prints one
// JSON line: jobs/s end to end, the enqueue time, and the CPU time over the
// window of itself (the producer), of the workers (/proc/PID/stat) and,
// with -broker-pid, of the NATS server. The stream is deleted at the end.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	url := fs.String("url", nats.DefaultURL, "the NATS server (JetStream enabled)")
	n := fs.Int("n", 100000, "run: jobs")
	workers := fs.Int("workers", 1, "run: worker processes")
	brokerPID := fs.Int("broker-pid", 0, "run: the NATS server's process id, for its CPU time (0: not measured)")
	stream := fs.String("stream", "", "worker: the stream")
	consumer := fs.String("consumer", "", "worker: the durable consumer")
	fs.Parse(os.Args[2:])

	switch os.Args[1] {
	case "run":
		out, err := run(*url, *n, *workers, *brokerPID)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gojobs:", err)
			os.Exit(1)
		}
		line, _ := json.Marshal(out)
		fmt.Println(string(line))
	case "worker":
		if err := work(*url, *stream, *consumer); err != nil {
			fmt.Fprintln(os.Stderr, "gojobs worker:", err)
			os.Exit(1)
		}
	case "versions":
		fmt.Println(versions(*url))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gojobs run -url URL -n N -workers W [-broker-pid PID] | worker -url URL -stream S -consumer C | versions -url URL")
	os.Exit(2)
}

// versions names the nats.go module this binary was built with and the
// version of the server at url (if it answers), for the run's header.
func versions(url string) string {
	var parts []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/nats-io/nats.go" {
				parts = append(parts, "nats.go "+m.Version)
			}
		}
	}
	if nc, err := nats.Connect(url, nats.Timeout(5*time.Second)); err == nil {
		parts = append(parts, "nats-server "+nc.ConnectedServerVersion())
		nc.Close()
	}
	return strings.Join(parts, "; ")
}
