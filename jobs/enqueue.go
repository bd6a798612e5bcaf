package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// DefaultQueue is the job queue Enqueue and NewWorker use when none is
// named.
const DefaultQueue = "default"

// A job's message carries the job's arguments as JSON, on the subject
// "jobs.<queue>.run.<function>", and most often nothing else: its id is
// its sequence number in the queue's stream, which the server's
// acknowledgement tells the producer, and the server's time of storing it
// is when it was enqueued. A producer in any language enqueues a job with
// a publish. Headers, which cost the producer, the server and the worker
// a good share of a short job's time, carry only what a job must bring
// along: the id the caller chose, and what a delayed job needs.
const (
	hdrID = "Jobs-Id" // a job id chosen by the caller, or a delayed job's
	// hdrFunc names the job function of a job published on the queue's
	// own subject, "jobs.<queue>", rather than on a function's.
	hdrFunc = "Jobs-Func"
	// hdrEnqueued is when a delayed job was enqueued: it waited in
	// another stream, and the server's time of storing it in the queue's
	// is when it was moved there.
	hdrEnqueued  = "Jobs-Enqueued"   // RFC 3339, with nanoseconds
	hdrNotBefore = "Jobs-Not-Before" // RFC 3339, with nanoseconds; delayed jobs
)

// runSubject is the subject of the jobs of the function name on queue.
func runSubject(queue, name string) string { return subject(queue) + ".run." + name }

// validFunc is what a job function's name may be: tokens of a NATS
// subject, which it ends.
var validFunc = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

// validJobID is what a key of a JetStream key-value bucket may be, where
// the job's result is kept under its id, less the ids of digits only,
// which are the queue's own (stream sequence numbers).
var validJobID = regexp.MustCompile(`^[-_=.A-Za-z0-9]{1,256}$`)

// checkJobID says what is wrong with a job id chosen by the caller.
func checkJobID(id string) error {
	if !validJobID.MatchString(id) {
		return fmt.Errorf("jobs: job id %q: use letters, digits, -, _, = and .", id)
	}
	if strings.Trim(id, "0123456789") == "" {
		return fmt.Errorf("jobs: job id %q: ids of digits only are the ones the queue gives; put a letter in yours", id)
	}
	return nil
}

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

// JobID names the job (its number in the queue otherwise): letters,
// digits and - _ = . only, and not digits only. A job enqueued again with
// the same id within the queue's duplicate window (2 min) is not enqueued
// again, and Enqueue returns the handle of the first; the result is kept
// under the id.
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
	if err := c.checkEnqueue(&cfg, name); err != nil {
		return nil, err
	}
	if cfg.id != "" {
		if err := checkJobID(cfg.id); err != nil {
			return nil, err
		}
	}
	data, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("jobs: encoding the arguments of %s: %w", name, err)
	}
	if err := c.makeJobStreams(ctx, cfg.queue); err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := cfg.template(name, now)
	if tmpl.notBefore != nil && cfg.id == "" {
		cfg.id = nuid.Next()
	}
	m := new(nats.Msg)
	tmpl.fill(m, cfg.id, data)
	ack, err := c.publish(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueueing %s on %s: %w", name, cfg.queue, err)
	}
	j := &Job{c: c, queue: cfg.queue, id: cfg.id, enqueued: now}
	if m.Header == nil {
		j.seq = ack.Sequence
	}
	return j, nil
}

// checkEnqueue checks the function name and the queue of an Enqueue or
// EnqueueMany.
func (c *Client) checkEnqueue(cfg *enqueueConfig, name string) error {
	if !validFunc.MatchString(name) {
		return fmt.Errorf("jobs: job function name %q: use letters, digits, - and _, in words joined by dots", name)
	}
	// A queue whose streams this Client made or saw has a valid name:
	// the check is a regular expression, a good part of an Enqueue's cost.
	if _, known := c.jobStreams.Load(cfg.queue); !known && !validName.MatchString(cfg.queue) {
		return fmt.Errorf("jobs: queue name %q: use letters, digits, - and _", cfg.queue)
	}
	return nil
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
	if cfg.id != "" {
		return nil, errors.New("jobs: EnqueueMany gives each job its own id: JobID cannot be used")
	}
	if err := c.checkEnqueue(&cfg, name); err != nil {
		return nil, err
	}
	if err := c.makeJobStreams(ctx, cfg.queue); err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := cfg.template(name, now)
	// The handles and the messages are made in two allocations for the
	// lot, not two per job: they live as long as one another.
	jobs := make([]Job, len(args))
	msgs := make([]nats.Msg, len(args))
	handles := make([]*Job, len(args))
	err := c.publishAll(ctx, len(args), func(i int) (*nats.Msg, *Job, error) {
		data, err := json.Marshal(args[i])
		if err != nil {
			return nil, nil, fmt.Errorf("encoding the arguments of job %d of %d: %w", i+1, len(args), err)
		}
		j := &jobs[i]
		*j = Job{c: c, queue: cfg.queue, enqueued: now}
		if tmpl.notBefore != nil {
			j.id = nuid.Next()
		}
		handles[i] = j
		m := &msgs[i]
		tmpl.fill(m, j.id, data)
		return m, j, nil
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
	notBefore []string // nil unless the jobs wait
}

// template makes the template of jobs of the function name enqueued now.
func (cfg *enqueueConfig) template(name string, now time.Time) *jobTemplate {
	t := &jobTemplate{subject: runSubject(cfg.queue, name)}
	notBefore := cfg.at
	if cfg.delay > 0 {
		notBefore = now.Add(cfg.delay)
	}
	if notBefore.After(now) {
		t.subject = runSubject(laterQueue(cfg.queue), name)
		t.notBefore = []string{notBefore.UTC().Format(time.RFC3339Nano)}
	}
	return t
}

// fill makes m the message of the job id (empty: the queue numbers it)
// with the arguments data. A delayed job needs an id: the number it would
// get is in the stream where it waits, and it keeps one id through the
// move to the queue.
func (t *jobTemplate) fill(m *nats.Msg, id string, data []byte) {
	m.Subject, m.Data = t.subject, data
	if id == "" {
		return
	}
	// A job with an id has it as its message id too, for the server's
	// deduplication: the caller that named it may send it again, and so
	// may the worker that moves a delayed job to the queue (promote).
	idv := []string{id}
	m.Header = nats.Header{hdrID: idv, jetstream.MsgIDHeader: idv}
	if t.notBefore != nil {
		m.Header[hdrNotBefore] = t.notBefore
	}
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
