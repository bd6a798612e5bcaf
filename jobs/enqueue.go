package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// DefaultQueue is the job queue Enqueue and NewWorker use when none is
// named.
const DefaultQueue = "default"

// The headers of a job's message. The payload is the job's arguments as
// JSON, so a producer in any language can enqueue a job by publishing a
// message with these headers on the subject "jobs.<queue>".
const (
	hdrID        = "Jobs-Id"
	hdrFunc      = "Jobs-Func"
	hdrEnqueued  = "Jobs-Enqueued"   // RFC 3339, with nanoseconds
	hdrNotBefore = "Jobs-Not-Before" // RFC 3339, with nanoseconds; delayed jobs
)

// validJobID is what a key of a JetStream key-value bucket may be, where
// the job's result is kept under its id.
var validJobID = regexp.MustCompile(`^[-_=.A-Za-z0-9]{1,256}$`)

// An EnqueueOption configures one Enqueue.
type EnqueueOption func(*enqueueConfig)

type enqueueConfig struct {
	queue string
	id    string
	at    time.Time
	delay time.Duration
}

// OnQueue puts the job on the named queue (DefaultQueue otherwise).
func OnQueue(name string) EnqueueOption { return func(c *enqueueConfig) { c.queue = name } }

// JobID names the job (a random id otherwise): letters, digits and
// - _ = . only. A job enqueued again with the same id within the queue's
// duplicate window (2 min) is not enqueued again, and Enqueue returns the
// handle of the first; the result is kept under the id.
func JobID(id string) EnqueueOption { return func(c *enqueueConfig) { c.id = id } }

// Delay makes the job wait d before a worker may run it.
func Delay(d time.Duration) EnqueueOption { return func(c *enqueueConfig) { c.delay = d } }

// At makes the job wait until t before a worker may run it. Workers
// compare t with their own clocks.
func At(t time.Time) EnqueueOption { return func(c *enqueueConfig) { c.at = t } }

// Enqueue asks for the job function registered as name to be run with args
// (encoded as JSON) by a worker of the queue, and returns the job's handle
// once the server has stored the job. It makes the queue's streams if no
// worker has yet. If ctx ends first, the job may or may not be stored:
// enqueue it again with the same JobID to be sure it is there once.
func (c *Client) Enqueue(ctx context.Context, name string, args any, opts ...EnqueueOption) (*Job, error) {
	cfg := enqueueConfig{queue: DefaultQueue}
	for _, o := range opts {
		o(&cfg)
	}
	if name == "" {
		return nil, errors.New("jobs: Enqueue with no function name")
	}
	if !validName.MatchString(cfg.queue) {
		return nil, fmt.Errorf("jobs: queue name %q: use letters, digits, - and _", cfg.queue)
	}
	if cfg.id == "" {
		cfg.id = nuid.Next()
	} else if !validJobID.MatchString(cfg.id) {
		return nil, fmt.Errorf("jobs: job id %q: use letters, digits, -, _, = and .", cfg.id)
	}
	data, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("jobs: encoding the arguments of %s: %w", name, err)
	}
	if err := c.makeJobStreams(ctx, cfg.queue); err != nil {
		return nil, err
	}
	now := time.Now()
	notBefore := cfg.at
	if cfg.delay > 0 {
		notBefore = now.Add(cfg.delay)
	}
	subj := subject(cfg.queue)
	m := nats.NewMsg(subj)
	m.Data = data
	m.Header.Set(jetstream.MsgIDHeader, cfg.id)
	m.Header.Set(hdrID, cfg.id)
	m.Header.Set(hdrFunc, name)
	m.Header.Set(hdrEnqueued, now.UTC().Format(time.RFC3339Nano))
	if notBefore.After(now) {
		m.Subject = subject(laterQueue(cfg.queue))
		m.Header.Set(hdrNotBefore, notBefore.UTC().Format(time.RFC3339Nano))
	}
	if _, err := c.publish(ctx, m); err != nil {
		return nil, fmt.Errorf("jobs: enqueueing %s on %s: %w", name, cfg.queue, err)
	}
	return &Job{c: c, queue: cfg.queue, id: cfg.id}, nil
}

// laterQueue is the queue where the delayed jobs of queue wait: any
// worker of queue moves a job from there to queue once it is due.
func laterQueue(queue string) string { return queue + "_later" }

// makeJobStreams makes the streams of a job queue, unless this Client
// has made or seen them already. It leaves streams that exist as they
// are: their settings are the workers'.
func (c *Client) makeJobStreams(ctx context.Context, queue string) error {
	if _, ok := c.jobStreams.Load(queue); ok {
		return nil
	}
	_, err := call(ctx, c, func(rctx context.Context) (struct{}, error) {
		cfg := defaultQueueConfig()
		for _, name := range []string{queue, laterQueue(queue)} {
			if _, err := makeStreams(rctx, c.js, name, cfg, false); err != nil {
				return struct{}{}, fmt.Errorf("jobs: making the streams of queue %s: %w", name, err)
			}
		}
		return struct{}{}, nil
	})
	if err == nil {
		c.jobStreams.Store(queue, struct{}{})
	}
	return err
}
