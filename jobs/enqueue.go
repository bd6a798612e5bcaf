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
	// A queue whose streams this Client made or saw has a valid name:
	// the check is a regular expression, a good part of an Enqueue's cost.
	if _, known := c.jobStreams.Load(cfg.queue); !known && !validName.MatchString(cfg.queue) {
		return nil, fmt.Errorf("jobs: queue name %q: use letters, digits, - and _", cfg.queue)
	}
	named := cfg.id != ""
	if !named {
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
	m := cfg.template(name, now).message(cfg.id, named, data)
	if _, err := c.publish(ctx, m); err != nil {
		return nil, fmt.Errorf("jobs: enqueueing %s on %s: %w", name, cfg.queue, err)
	}
	return &Job{c: c, queue: cfg.queue, id: cfg.id, enqueued: now}, nil
}

// EnqueueMany enqueues a job of the function name for each element of
// args, as Enqueue would one by one, and returns their handles in the
// order of args once the server has stored every job. Its cost per job is
// a fraction of an Enqueue's: the jobs go out in a stream and the task
// waits once, for all of them. Each job gets a random id (JobID is
// refused). If it fails, or ctx ends first, some of the jobs may have been
// stored.
func EnqueueMany[A any](ctx context.Context, c *Client, name string, args []A, opts ...EnqueueOption) ([]*Job, error) {
	cfg := enqueueConfig{queue: DefaultQueue}
	for _, o := range opts {
		o(&cfg)
	}
	if name == "" {
		return nil, errors.New("jobs: EnqueueMany with no function name")
	}
	if cfg.id != "" {
		return nil, errors.New("jobs: EnqueueMany gives each job its own id: JobID cannot be used")
	}
	if _, known := c.jobStreams.Load(cfg.queue); !known && !validName.MatchString(cfg.queue) {
		return nil, fmt.Errorf("jobs: queue name %q: use letters, digits, - and _", cfg.queue)
	}
	if err := c.makeJobStreams(ctx, cfg.queue); err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := cfg.template(name, now)
	handles := make([]*Job, len(args))
	err := c.publishAll(ctx, len(args), func(i int) (*nats.Msg, error) {
		data, err := json.Marshal(args[i])
		if err != nil {
			return nil, fmt.Errorf("encoding the arguments of job %d of %d: %w", i+1, len(args), err)
		}
		id := nuid.Next()
		handles[i] = &Job{c: c, queue: cfg.queue, id: id, enqueued: now}
		return tmpl.message(id, false, data), nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueueing %d jobs of %s on %s: %w", len(args), name, cfg.queue, err)
	}
	return handles, nil
}

// A jobTemplate is what the messages of one Enqueue or EnqueueMany have
// in common. The header values it holds are shared by those messages:
// nothing changes a message's headers once it is made.
type jobTemplate struct {
	subject   string
	fn        []string
	stamp     []string
	notBefore []string // nil unless the jobs wait
}

// template makes the template of jobs of the function name enqueued now.
func (cfg *enqueueConfig) template(name string, now time.Time) *jobTemplate {
	t := &jobTemplate{
		subject: subject(cfg.queue),
		fn:      []string{name},
		stamp:   []string{now.UTC().Format(time.RFC3339Nano)},
	}
	notBefore := cfg.at
	if cfg.delay > 0 {
		notBefore = now.Add(cfg.delay)
	}
	if notBefore.After(now) {
		t.subject = subject(laterQueue(cfg.queue))
		t.notBefore = []string{notBefore.UTC().Format(time.RFC3339Nano)}
	}
	return t
}

// message makes the message of the job id with the arguments data; named
// says whether the caller chose the id.
func (t *jobTemplate) message(id string, named bool, data []byte) *nats.Msg {
	idv := []string{id}
	m := &nats.Msg{Subject: t.subject, Data: data, Header: make(nats.Header, 4)}
	m.Header[hdrID] = idv
	m.Header[hdrFunc] = t.fn
	m.Header[hdrEnqueued] = t.stamp
	if t.notBefore != nil {
		m.Header[hdrNotBefore] = t.notBefore
	}
	// The id is the message id, for the server's deduplication, when
	// someone may send the job again: the caller that named it, and the
	// worker that moves a delayed job to the queue (promote). A fresh
	// random id no one else knows has nothing to deduplicate, and the
	// server's bookkeeping of message ids costs it CPU per job.
	if named || t.notBefore != nil {
		m.Header[jetstream.MsgIDHeader] = idv
	}
	return m
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
		// Under the lock for the round trips: the many Enqueues of a
		// fan-out that all found no streams wait here, in executor
		// goroutines, for the first to make them, and then find them
		// made, instead of each asking the server again.
		c.streamsMu.Lock()
		defer c.streamsMu.Unlock()
		if _, ok := c.jobStreams.Load(queue); ok {
			return struct{}{}, nil
		}
		cfg := defaultQueueConfig()
		for _, name := range []string{queue, laterQueue(queue)} {
			if _, err := makeStreams(rctx, c.js, name, cfg, false); err != nil {
				return struct{}{}, fmt.Errorf("jobs: making the streams of queue %s: %w", name, err)
			}
		}
		c.jobStreams.Store(queue, struct{}{})
		return struct{}{}, nil
	})
	return err
}
