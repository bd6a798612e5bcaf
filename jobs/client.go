package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrClosed is returned by calls on a Client that is closed, and by the
// Puts that were waiting for the server's acknowledgement when it closed.
var ErrClosed = errors.New("jobs: client is closed")

// maxInFlight bounds the Puts waiting for the server's acknowledgement on
// one Client. The NATS client stalls a publisher (blocks it, up to
// 200 ms) beyond its own bound; the Client's permits keep below it, so the
// stall never happens and a Put over the bound waits on the loop instead.
const maxInFlight = 4096

// A Client is a connection to a NATS server with JetStream. It is safe
// for use by many tasks, and by several loops.
type Client struct {
	nc *nats.Conn
	js jetstream.JetStream

	// out is a strand: one goroutine that makes every call of the NATS
	// client that writes to the connection (publish, ack, nak, in
	// progress), in the order the loop asked for them. Those calls take
	// the connection's lock, which the client's flusher holds while it
	// writes to the socket, so a server that stops reading would block
	// them; on the strand it blocks the strand, never the loop.
	out *asyncio.ThreadPool
	// exec runs the JetStream API's request–reply calls (stream and
	// consumer management, state for Join), which block for a round trip.
	exec *asyncio.ThreadPool

	permits *asyncio.Semaphore
	// puts holds the publishes waiting for the server's word. A map
	// under a lock, not a sync.Map, which would cost an allocation per
	// publish.
	putsMu sync.Mutex
	puts   map[*nats.Msg]pendingPut

	mu     sync.Mutex
	closed bool
	queues map[*queueCore]struct{}

	stop    context.Context // ends the results watches
	stopped context.CancelFunc
	// open counts the queues that have not shut down with no pull in
	// flight (see release); released is closed when it drops to zero
	// once Close has begun. Both under mu.
	open     int
	released chan struct{}

	jobStreams sync.Map   // queue name → struct{}: its streams exist
	streamsMu  sync.Mutex // held while a job queue's streams are made

	watchMu  sync.Mutex
	watches  map[string]*resultWatch // by queue
	watchers sync.WaitGroup

	acksMu sync.Mutex
	acks   []*nats.Msg // to acknowledge, in the strand's next turn
	acking bool        // a turn of sendAcks is due or running
}

// An Option configures Connect.
type Option func(*clientConfig)

type clientConfig struct {
	nats []nats.Option
}

// NATSOptions passes options to the NATS client (credentials, TLS,
// reconnection, a name for the server's monitoring).
func NATSOptions(opts ...nats.Option) Option {
	return func(c *clientConfig) { c.nats = append(c.nats, opts...) }
}

// Connect connects to the NATS server at url (a comma-separated list for a
// cluster) and returns a Client. The dial and the handshake run off the
// loop; the task waits.
func Connect(ctx context.Context, url string, opts ...Option) (*Client, error) {
	var cfg clientConfig
	for _, o := range opts {
		o(&cfg)
	}
	done := asyncio.Annotate(ctx, "jobs: connecting to "+url)
	defer done()
	// nats.Connect takes no ctx: if the task gives up first, the
	// connection made after all is closed by whoever comes second.
	var mu sync.Mutex
	var abandoned bool
	var made *nats.Conn
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
		nc, err := nats.Connect(url, cfg.nats...)
		if err != nil {
			return struct{}{}, err
		}
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			nc.Close()
		} else {
			made = nc
		}
		return struct{}{}, nil
	})
	mu.Lock()
	nc := made
	if err != nil {
		abandoned = true
		if made != nil {
			made.Close()
		}
	}
	mu.Unlock()
	if err != nil {
		return nil, err
	}
	c := &Client{
		nc:      nc,
		out:     asyncio.NewThreadPool(1),
		exec:    asyncio.NewThreadPool(4),
		permits: asyncio.NewSemaphore(maxInFlight),
		queues:  map[*queueCore]struct{}{},
		watches: map[string]*resultWatch{},
		puts:    map[*nats.Msg]pendingPut{},
	}
	c.stop, c.stopped = context.WithCancel(context.Background())
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(maxInFlight+1),
		jetstream.WithPublishAsyncAckHandler(func(_ jetstream.JetStream, m *nats.Msg, ack *jetstream.PubAck) {
			c.settlePut(m, ack, nil)
		}),
		jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, m *nats.Msg, err error) {
			c.settlePut(m, nil, err)
		}),
	)
	if err != nil {
		nc.Close()
		return nil, err
	}
	c.js = js
	return c, nil
}

// JetStream returns the client's JetStream context, for what this package
// does not do (inspecting streams, reading the dead letters). Its calls
// block: make them off the loop.
func (c *Client) JetStream() jetstream.JetStream { return c.js }

// publish sends m to its stream and waits for the server's acknowledgement.
// If ctx ends first, m may or may not have been stored.
func (c *Client) publish(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	if c.isClosed() {
		return nil, ErrClosed
	}
	if err := c.permits.Acquire(ctx); err != nil {
		return nil, err
	}
	f := asyncio.NewFuture[*jetstream.PubAck](ctx)
	c.track(m, pendingPut{one: f})
	if err := c.out.Submit(func() {
		if _, err := c.js.PublishMsgAsync(m); err != nil {
			c.settlePut(m, nil, err)
		}
	}); err != nil {
		c.settlePut(m, nil, ErrClosed)
	}
	return f.Wait(ctx)
}

// publishAll sends n messages, made by next in order, to their streams
// and waits until the server has acknowledged every one, or one failed.
// The messages go to the strand in chunks, as permits allow; a chunk is
// sent before the task waits for a permit, since only the
// acknowledgements of what was sent free one, and the task lets the loop
// run between chunks. An error of next stops the sending: the messages
// sent so far may be stored. The job next gives with a message, if any,
// learns the message's sequence number in its stream.
func (c *Client) publishAll(ctx context.Context, n int, next func(i int) (*nats.Msg, *Job, error)) error {
	if c.isClosed() {
		return ErrClosed
	}
	if n == 0 {
		return nil
	}
	b := &putBatch{f: asyncio.NewFuture[struct{}](ctx)}
	b.left.Store(int64(n))
	var chunk []*nats.Msg
	flush := func() {
		if len(chunk) == 0 {
			return
		}
		out := chunk
		chunk = nil
		if err := c.out.Submit(func() {
			for _, m := range out {
				if _, err := c.js.PublishMsgAsync(m); err != nil {
					c.settlePut(m, nil, err)
				}
			}
		}); err != nil {
			for _, m := range out {
				c.settlePut(m, nil, ErrClosed)
			}
		}
	}
	var stop error
	for i := range n {
		m, j, err := next(i)
		if err == nil && !c.permits.TryAcquire() {
			flush()
			err = c.permits.Acquire(ctx)
		}
		if err != nil {
			stop = err
			b.done(n-i, err) // the rest are not sent
			break
		}
		c.track(m, pendingPut{batch: b, job: j})
		chunk = append(chunk, m)
		if len(chunk) == maxChunk {
			flush()
			// Building a chunk takes the loop for a while: let the
			// other tasks run.
			if err := asyncio.Sleep(ctx, 0); err != nil {
				stop = err
				b.done(n-i-1, err)
				break
			}
		}
	}
	flush()
	_, err := b.f.Wait(ctx)
	if stop != nil {
		return stop
	}
	return err
}

// maxChunk bounds the messages publishAll hands the strand at once.
const maxChunk = 256

// A putBatch is the outcome of a publishAll: its future completes when
// the last of its messages is settled, with the first failure if any.
type putBatch struct {
	left atomic.Int64
	mu   sync.Mutex
	err  error
	f    *asyncio.Future[struct{}]
}

// done settles n of the batch's messages, with err if they failed.
func (b *putBatch) done(n int, err error) {
	if err != nil {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	if b.left.Add(-int64(n)) > 0 {
		return
	}
	b.mu.Lock()
	err = b.err
	b.mu.Unlock()
	if err != nil {
		b.f.TrySetError(err)
	} else {
		b.f.TrySetResult(struct{}{})
	}
}

// A pendingPut is a publish waiting for the server's word: a Put's, or
// one of the messages of a publishAll, with its job if it has one.
type pendingPut struct {
	one   *asyncio.Future[*jetstream.PubAck]
	batch *putBatch
	job   *Job
}

// track records that m waits for the server's word.
func (c *Client) track(m *nats.Msg, p pendingPut) {
	c.putsMu.Lock()
	c.puts[m] = p
	c.putsMu.Unlock()
}

// settlePut completes the Put of m (or counts it in its batch), from
// whichever goroutine learns its outcome: the client's reply handler, the
// strand, or Close.
func (c *Client) settlePut(m *nats.Msg, ack *jetstream.PubAck, err error) {
	c.putsMu.Lock()
	p, ok := c.puts[m]
	delete(c.puts, m)
	c.putsMu.Unlock()
	if !ok {
		return
	}
	c.permits.Release()
	if p.batch != nil {
		if p.job != nil && ack != nil && p.job.id == "" {
			p.job.seq = ack.Sequence // read once the batch's future is done
		}
		p.batch.done(1, err)
		return
	}
	if err != nil {
		p.one.TrySetError(err)
	} else {
		p.one.TrySetResult(ack)
	}
}

// The bodies of JetStream's replies to a message it delivered, published
// on the message's reply subject: done, give it back now, still at work.
var (
	ackOK       = []byte("+ACK")
	ackNak      = []byte("-NAK")
	ackProgress = []byte("+WPI")
)

// nakWithDelay is the reply that gives a message back for redelivery
// after delay.
func nakWithDelay(delay time.Duration) []byte {
	return fmt.Appendf(nil, `-NAK {"delay": %d}`, delay.Nanoseconds())
}

// reply sends body as the reply to m on the strand, not waiting for it.
// It fails only once the Client is closed.
func (c *Client) reply(m *nats.Msg, body []byte) error {
	nc := c.nc
	return c.send(func() error { return nc.Publish(m.Reply, body) })
}

// send runs fn on the strand, not waiting for it: acks, naks and in
// progress notes, whose loss the server's ack deadline repairs. It fails
// only once the Client is closed.
func (c *Client) send(fn func() error) error {
	if err := c.out.Submit(func() { _ = fn() }); err != nil {
		return ErrClosed
	}
	return nil
}

// ack acknowledges m on the strand, as send(m.Ack) would, but gathered:
// the acknowledgements asked for while the strand is busy go out together
// in one of its turns, so that a worker finishing thousands of jobs a
// second makes no closure and no hand-off per job. It fails only once the
// Client is closed.
func (c *Client) ack(m *nats.Msg) error {
	c.acksMu.Lock()
	c.acks = append(c.acks, m)
	start := !c.acking
	c.acking = true
	c.acksMu.Unlock()
	if start {
		if err := c.out.Submit(c.sendAcks); err != nil {
			c.acksMu.Lock()
			c.acks, c.acking = nil, false
			c.acksMu.Unlock()
			return ErrClosed
		}
	}
	return nil
}

// sendAcks runs on the strand: it sends the acknowledgements gathered,
// and those that come meanwhile, until none is left. It swaps two slices
// with ack, so that gathering allocates nothing once they have grown.
func (c *Client) sendAcks() {
	var batch []*nats.Msg
	for {
		c.acksMu.Lock()
		batch, c.acks = c.acks, batch[:0]
		if len(batch) == 0 {
			c.acking = false
			c.acks = batch
			c.acksMu.Unlock()
			return
		}
		c.acksMu.Unlock()
		for i, m := range batch {
			_ = c.nc.Publish(m.Reply, ackOK)
			batch[i] = nil
		}
	}
}

// call runs fn, a blocking request to the server, on the client's
// executor, as a wait of the task of ctx.
func call[T any](ctx context.Context, c *Client, fn func(context.Context) (T, error)) (T, error) {
	if c.isClosed() {
		var zero T
		return zero, ErrClosed
	}
	// The request gets a ctx of its own with the task's deadline: the
	// task's ctx belongs to the loop and is not for other goroutines to
	// wait on.
	rctx, cancel := context.WithTimeout(context.Background(), requestTimeout(ctx))
	return asyncio.RunInExecutor(ctx, c.exec, func() (T, error) {
		defer cancel()
		return fn(rctx)
	})
}

// requestTimeout is the time left to ctx, or 10 s without a deadline.
func requestTimeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(time.Until(d), time.Millisecond)
	}
	return 10 * time.Second
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Close shuts down every queue opened on c as Shutdown(false) does (the
// items no Get took go back to the server; items handlers still hold are
// left to their ack deadline, as if the process had died, since a handler
// may be half way through), sends what is queued for the server, and
// closes the connection. Puts still waiting fail with ErrClosed. Call it
// from a task of the loop the queues were opened on.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.released = make(chan struct{})
	if c.open == 0 {
		close(c.released)
	}
	queues := make([]*queueCore, 0, len(c.queues))
	for q := range c.queues {
		queues = append(queues, q)
	}
	c.mu.Unlock()
	for _, q := range queues {
		q.closeFromClient(ctx)
	}
	c.stopped()
	done := asyncio.Annotate(ctx, "jobs: closing the NATS connection")
	defer done()
	// A pull in flight is let run to its end (about a second at most):
	// the messages it brings are handed back, where cutting it short
	// would leave them to their ack deadline. A queue whose loop has
	// closed cannot end its pulls; Close waits for it no longer than a
	// pull could last.
	c.mu.Lock()
	ended := c.released
	c.mu.Unlock()
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
		t := time.NewTimer(pullWait + 2*time.Second)
		defer t.Stop()
		select {
		case <-ended:
		case <-t.C:
		}
		return struct{}{}, nil
	})
	if err != nil {
		return err
	}
	// The queues' last pulls ended on their loops before this task
	// resumed, so what the queues hand back is queued on the strand,
	// which sends it before the connection closes.
	_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
		c.stopWatches()
		c.watchers.Wait()
		c.out.Shutdown(context.Background())
		err := c.nc.FlushTimeout(5 * time.Second)
		c.nc.Close()
		c.exec.Shutdown(context.Background())
		return struct{}{}, err
	})
	c.putsMu.Lock()
	left := make([]*nats.Msg, 0, len(c.puts))
	for m := range c.puts {
		left = append(left, m)
	}
	c.putsMu.Unlock()
	for _, m := range left {
		c.settlePut(m, nil, ErrClosed)
	}
	if errors.Is(err, nats.ErrConnectionClosed) {
		err = nil
	}
	return err
}

// register adds q to the queues Close shuts down; false if c is closed.
func (c *Client) register(q *queueCore) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.queues[q] = struct{}{}
	c.open++
	return true
}

// releaseQueue says that a queue has shut down with no pull in flight:
// nothing it pulled can arrive any more.
func (c *Client) releaseQueue() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open--; c.open == 0 && c.released != nil {
		close(c.released)
	}
}

func (c *Client) unregister(q *queueCore) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.queues, q)
}
