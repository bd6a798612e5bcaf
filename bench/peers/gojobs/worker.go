package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// work consumes the stream's durable consumer until SIGTERM: each message
// is decoded (the job's arguments) and acknowledged, nothing else. Then it
// prints how many it acknowledged.
func work(url, stream, consumer string) error {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cons, err := js.Consumer(context.Background(), stream, consumer)
	if err != nil {
		return err
	}
	var acked atomic.Int64
	// nats.go calls the handler from one goroutine of its own, one
	// message after the other, until cc.Stop.
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var j job
		if err := json.Unmarshal(m.Data(), &j); err != nil {
			m.Term()
			return
		}
		if m.Ack() == nil {
			acked.Add(1)
		}
	})
	if err != nil {
		return err
	}
	// The first pull request is at the server once Flush returns.
	if err := nc.Flush(); err != nil {
		return err
	}
	fmt.Println("ready")
	<-term
	cc.Stop()
	<-cc.Closed()
	// The acknowledgements are at the server before the count is printed.
	nc.Flush()
	fmt.Println(acked.Load())
	return nil
}
