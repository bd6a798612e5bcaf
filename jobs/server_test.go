package jobs_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/servicetest"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go"
)

// natsURL returns the NATS server the tests run against: NATS_URL, or the
// project's machines' nats://127.0.0.1:4222. A server that does not answer
// skips the test, naming the variable, except in CI (CI=true), where it
// fails it.
func natsURL(t testing.TB) string {
	t.Helper()
	return servicetest.URL(t, "NATS_URL", "nats://127.0.0.1:4222", "NATS server with JetStream")
}

// queueName returns a stream name no other test or run uses; cleanup
// deletes the queue's streams when the test ends, and those of a job
// queue of that name.
func queueName(t testing.TB) string {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	name := "test-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + hex.EncodeToString(b[:])
	u := natsURL(t)
	t.Cleanup(func() {
		nc, err := nats.Connect(u)
		if err != nil {
			t.Errorf("deleting queue %s: %v", name, err)
			return
		}
		defer nc.Close()
		for _, s := range []string{name, name + "_dead", name + "_later", name + "_later_dead", "KV_" + name + "_results"} {
			// The test may have deleted them, or never made them.
			nc.Request("$JS.API.STREAM.DELETE."+s, nil, 5*time.Second)
		}
	})
	return name
}

// run runs fn as the main task of a loop, with a Client connected to the
// test server, and closes the Client after.
func run(t testing.TB, fn func(ctx context.Context, c *jobs.Client) error) {
	t.Helper()
	u := natsURL(t)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, err := jobs.Connect(ctx, u)
		if err != nil {
			return struct{}{}, err
		}
		err = fn(ctx, c)
		if cerr := c.Close(ctx); err == nil {
			err = cerr
		}
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}
