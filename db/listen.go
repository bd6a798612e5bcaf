package db

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// A Notification is a message sent with PostgreSQL's NOTIFY.
type Notification struct {
	Channel string
	Payload string
	PID     uint32 // the server process of the session that sent it
}

// ErrListenerOverflow ends a Listener that fell more than ListenBuffer
// notifications behind: rather than drop notifications unseen, the
// listener stops, after yielding those it holds.
var ErrListenerOverflow = errors.New("db: listener fell too far behind; notifications were dropped")

// ErrListenerClosed is returned by Next after Close.
var ErrListenerClosed = errors.New("db: listener closed")

// ListenBuffer is how many notifications a Listener holds for its reader.
const ListenBuffer = 4096

// A Listener receives the notifications of one PostgreSQL channel
// (asyncpg's add_listener). All the listeners of a pool share one
// connection of their own, outside MaxConns; when it breaks, it is opened
// again and listens to every channel again. Notifications sent while it
// was broken are lost, as they are for any PostgreSQL listener.
type Listener struct {
	ln      *listener
	channel string
	q       *asyncio.Queue[Notification]
	why     atomic.Pointer[error] // why the queue was shut down
}

// Listen starts listening to channel and returns once the server listens,
// so that a notification sent after Listen returns is received. Listen is
// for PostgreSQL only: other databases return ErrNotSupported.
//
// Listen returns a Listener rather than a bare iterator because an
// iterator starts listening only when the loop starts, losing what is
// sent in between.
func (p *Pool) Listen(ctx context.Context, channel string) (*Listener, error) {
	if p.closed.Load() {
		return nil, ErrPoolClosed
	}
	pb, ok := p.be.(*pgBackend)
	if !ok {
		return nil, ErrNotSupported
	}
	p.lmu.Lock()
	if p.listen == nil {
		p.listen = newListener(pb.cfg.ConnConfig)
	}
	ln := p.listen
	p.lmu.Unlock()
	l := &Listener{ln: ln, channel: channel, q: asyncio.NewQueue[Notification](ListenBuffer)}
	done := asyncio.NewFuture[struct{}](ctx)
	defer asyncio.Annotate(ctx, "db: LISTEN "+channel)()
	if err := ln.subscribe(l, func(err error) {
		if err != nil {
			done.TrySetError(err)
		} else {
			done.TrySetResult(struct{}{})
		}
	}); err != nil {
		return nil, err
	}
	if _, err := done.Wait(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Notify sends a notification on channel (pg_notify).
func (p *Pool) Notify(ctx context.Context, channel, payload string) error {
	if p.kind != "postgres" {
		return ErrNotSupported
	}
	_, err := QueryRow[string](ctx, p, "SELECT pg_notify($1, $2)::text", channel, payload)
	return err
}

// Next waits for the next notification. After Close it returns
// ErrListenerClosed, after the pool's Close ErrPoolClosed, and after an
// overflow ErrListenerOverflow, once the notifications held are taken.
func (l *Listener) Next(ctx context.Context) (Notification, error) {
	n, err := l.q.Get(ctx)
	if errors.Is(err, asyncio.ErrQueueShutDown) {
		if why := l.why.Load(); why != nil {
			return n, *why
		}
		return n, ErrListenerClosed
	}
	return n, err
}

// All yields the notifications as they come, until ctx ends or the
// listener stops; it ends quietly after Close and yields the error
// otherwise.
func (l *Listener) All(ctx context.Context) iter.Seq2[Notification, error] {
	return func(yield func(Notification, error) bool) {
		for {
			n, err := l.Next(ctx)
			if errors.Is(err, ErrListenerClosed) {
				return
			}
			if !yield(n, err) || err != nil {
				return
			}
		}
	}
}

// Close stops the listener; the server stops listening to the channel
// once no listener of the pool wants it. It does not wait.
func (l *Listener) Close() { l.stop(ErrListenerClosed) }

func (l *Listener) stop(why error) {
	if l.why.CompareAndSwap(nil, &why) {
		l.q.Shutdown(false)
		l.ln.unsubscribe(l)
	}
}

// deliver queues n for the reader, stopping the listener if it is full.
func (l *Listener) deliver(n Notification) {
	if err := l.q.TryPut(n); errors.Is(err, asyncio.ErrQueueFull) {
		go l.stop(ErrListenerOverflow) // it takes the listener's lock, held by the caller
	}
}

// listener is the connection that a pool's Listeners share, and the
// goroutine that reads it. The goroutine starts with the first Listen and
// ends with the pool's Close.
type listener struct {
	cc *pgx.ConnConfig

	mu        sync.Mutex
	subs      map[string]map[*Listener]bool
	cmds      []listenCmd
	interrupt context.CancelFunc // ends the current wait, to run cmds
	closed    bool
	ended     chan struct{}
}

// A listenCmd asks the goroutine to LISTEN (or UNLISTEN) a channel and to
// report the result.
type listenCmd struct {
	channel string
	listen  bool
	done    func(error)
}

func newListener(cc *pgx.ConnConfig) *listener {
	cc = cc.Copy()
	// A wait for notifications is ended by cancelling its context, to
	// send a LISTEN: the deadline handler ends the read at once, and a
	// timed-out read leaves pgx's connection usable.
	cc.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: pc.Conn()}
	}
	ln := &listener{cc: cc, subs: make(map[string]map[*Listener]bool), ended: make(chan struct{})}
	go ln.run()
	return ln
}

func (ln *listener) subscribe(l *Listener, done func(error)) error {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.closed {
		return ErrPoolClosed
	}
	if ln.subs[l.channel] == nil {
		ln.subs[l.channel] = make(map[*Listener]bool)
	}
	ln.subs[l.channel][l] = true
	ln.sendLocked(listenCmd{channel: l.channel, listen: true, done: done})
	return nil
}

func (ln *listener) unsubscribe(l *Listener) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	delete(ln.subs[l.channel], l)
	if len(ln.subs[l.channel]) == 0 && !ln.closed {
		delete(ln.subs, l.channel)
		ln.sendLocked(listenCmd{channel: l.channel})
	}
}

func (ln *listener) sendLocked(c listenCmd) {
	ln.cmds = append(ln.cmds, c)
	if ln.interrupt != nil {
		ln.interrupt()
	}
}

// close ends the goroutine and waits for it; the listeners end with
// ErrPoolClosed.
func (ln *listener) close() {
	ln.mu.Lock()
	ln.closed = true
	if ln.interrupt != nil {
		ln.interrupt()
	}
	var all []*Listener
	for _, ls := range ln.subs {
		for l := range ls {
			all = append(all, l)
		}
	}
	ln.mu.Unlock()
	<-ln.ended
	for _, l := range all {
		l.stop(ErrPoolClosed)
	}
}

// run is the listener's goroutine: it connects, runs the commands, and
// waits for notifications, until close.
func (ln *listener) run() {
	defer close(ln.ended)
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			conn.Close(ctx)
			cancel()
		}
	}()
	backoff := 50 * time.Millisecond
	for {
		ln.mu.Lock()
		if ln.closed {
			ln.mu.Unlock()
			return
		}
		cmds := ln.cmds
		ln.cmds = nil
		wait, cancel := context.WithCancel(context.Background())
		ln.interrupt = cancel
		var channels []string
		if conn == nil {
			for ch := range ln.subs {
				channels = append(channels, ch)
			}
		}
		ln.mu.Unlock()

		if conn == nil {
			c, err := ln.connect(channels)
			if err != nil {
				for _, c := range cmds {
					c.fail(err)
				}
				// Wait before trying again, unless a command or close
				// comes.
				t := time.NewTimer(backoff)
				select {
				case <-t.C:
				case <-wait.Done():
				}
				t.Stop()
				cancel()
				backoff = min(2*backoff, 5*time.Second)
				continue
			}
			conn, backoff = c, 50*time.Millisecond
		}
		if err := ln.runCmds(conn, cmds); err != nil {
			conn.Close(context.Background())
			conn = nil
			cancel()
			continue
		}
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			ln.dispatch(Notification{Channel: n.Channel, Payload: n.Payload, PID: n.PID})
		case wait.Err() != nil && !conn.IsClosed():
			// Interrupted for a command or close: the connection is fine.
		default:
			conn.Close(context.Background())
			conn = nil
		}
	}
}

func (c listenCmd) fail(err error) {
	if c.done != nil {
		c.done(err)
	}
}

// connect opens the connection and listens to channels on it.
func (ln *listener) connect(channels []string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, ln.cc)
	if err != nil {
		return nil, err
	}
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			conn.Close(ctx)
			return nil, err
		}
	}
	return conn, nil
}

// runCmds runs the commands on conn; an error is the connection's.
func (ln *listener) runCmds(conn *pgx.Conn, cmds []listenCmd) error {
	for i, c := range cmds {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		verb := "UNLISTEN "
		if c.listen {
			verb = "LISTEN "
		} else {
			ln.mu.Lock()
			wanted := len(ln.subs[c.channel]) > 0 // listened to again since
			ln.mu.Unlock()
			if wanted {
				cancel()
				continue
			}
		}
		_, err := conn.Exec(ctx, verb+pgx.Identifier{c.channel}.Sanitize())
		cancel()
		if err != nil && conn.IsClosed() {
			for _, c := range cmds[i:] {
				c.fail(err)
			}
			return err
		}
		c.fail(err) // reports success too, with a nil error
	}
	return nil
}

func (ln *listener) dispatch(n Notification) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	for l := range ln.subs[n.Channel] {
		l.deliver(n)
	}
}
