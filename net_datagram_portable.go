package asyncio

import (
	"context"
	"errors"
	"net"
	"sync"
)

// netDatagram is a DatagramTransport over a socket of the net package (a
// *net.UDPConn or *net.UnixConn), driven by goroutines that feed the loop:
// the portable backend's.
//
// Two goroutines serve it, both counted in the loop's ioGoroutines:
//
//   - the reader, started after ConnectionMade, reads one datagram at a
//     time into the transport's buffer and hands it to the loop, then
//     waits until the protocol has taken it (DatagramReceived has returned
//     and reading is not paused) before reading into the buffer again. It
//     ends when finish closes the socket, or when the loop is closed.
//   - the writer exists while datagrams wait: the SendTo that finds none
//     running starts it; it sends what is queued, reports each batch to
//     the loop, and ends when the queue is empty. A send blocked on a full
//     socket buffer is released by finish closing the socket.
//
// Nothing the loop calls blocks on the network. The loop keeps the
// authoritative state; the goroutines see only the channels and what the
// mutex guards.
type netDatagram struct {
	datagramBase
	conn packetConn

	// Loop-only state.
	started bool        // the reader runs
	parked  *netInbound // what arrived while reading was paused
	held    bool        // the reader waits for ResumeReading

	resume chan struct{} // lets the reader read again (cap 1)
	done   chan struct{} // closed when the transport is lost

	mu       sync.Mutex // guards the writer's queue
	queue    []netQueued
	wRunning bool
}

// packetConn is what *net.UDPConn and *net.UnixConn offer.
type packetConn interface {
	net.PacketConn
	Write(p []byte) (int, error)
}

// netInbound is what the reader hands the loop: a datagram and its
// sender, or an error.
type netInbound struct {
	p    []byte
	from net.Addr
	err  error
}

// netQueued is a datagram for the writer: its own copy of the bytes, and
// where it goes (nil: the connected peer).
type netQueued struct {
	p  []byte
	to net.Addr
}

// datagramBufferSize is the reader's buffer: more than a UDP datagram
// carries. A longer datagram (on a Unix socket) is truncated.
const datagramBufferSize = 64 << 10

// openNetDatagram opens a socket for pair with the net package.
func openNetDatagram(ctx context.Context, l *Loop, pair datagramPair, cfg datagramConfig) (datagramTransport, error) {
	if a, ok := pair.local.(*net.UnixAddr); ok {
		if err := removeStaleSocketFile(a.Name); err != nil {
			return nil, err
		}
	}
	control := datagramControl(cfg)
	connected := pair.remote != nil && !cfg.broadcast
	var c any
	var err error
	if connected {
		d := net.Dialer{LocalAddr: pair.local, Control: control}
		c, err = d.DialContext(ctx, pair.network, pair.remote.String())
	} else {
		// The net package cannot make an unbound socket: bind the
		// wildcard address, which the first send would do.
		addr := ":0"
		if pair.local != nil {
			addr = pair.local.String()
		} else if pair.network == "unixgram" {
			addr = ""
		}
		lc := net.ListenConfig{Control: control}
		c, err = lc.ListenPacket(ctx, pair.network, addr)
	}
	if err != nil {
		return nil, err
	}
	t := &netDatagram{conn: c.(packetConn), resume: make(chan struct{}, 1), done: make(chan struct{})}
	t.init(l, pair, connected)
	l.track(t)
	return t, nil
}

func (t *netDatagram) startReading() {
	if t.started || t.lost {
		return
	}
	t.started = true
	t.loop.ioGoroutines.Add(1)
	go t.read()
}

// read is the reader goroutine.
func (t *netDatagram) read() {
	defer t.loop.ioGoroutines.Done()
	buf := make([]byte, datagramBufferSize)
	for {
		n, from, err := t.conn.ReadFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		in := netInbound{p: buf[:n], from: from, err: err}
		if !t.loop.push(readyItem{fn: func() { t.received(in) }}) {
			return // the loop is closed
		}
		select {
		case <-t.resume:
		case <-t.done:
			return
		}
	}
}

// received runs on the loop with what the reader read.
func (t *netDatagram) received(in netInbound) {
	switch {
	case t.closing:
		return // reading stopped; finish releases the reader
	case t.readPaused:
		t.parked = &in
		return
	case in.err != nil:
		t.errorReceived(in.err)
	default:
		t.proto.DatagramReceived(in.p, in.from)
	}
	switch {
	case t.closing:
	case t.readPaused:
		t.held = true
	default:
		t.resume <- struct{}{}
	}
}

func (t *netDatagram) SendTo(p []byte, addr net.Addr) error {
	if t.closing {
		return ErrTransportClosing
	}
	to, err := t.dest(addr)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.queue = append(t.queue, netQueued{p: append([]byte(nil), p...), to: to})
	start := !t.wRunning
	t.wRunning = true
	t.mu.Unlock()
	if start {
		t.loop.ioGoroutines.Add(1)
		go t.write()
	}
	t.queued(len(p))
	return nil
}

// write is the writer goroutine.
func (t *netDatagram) write() {
	defer t.loop.ioGoroutines.Done()
	var batch []netQueued
	for {
		t.mu.Lock()
		batch, t.queue = t.queue, batch[:0]
		if len(batch) == 0 {
			t.wRunning = false
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		n := 0
		var errs []error
		for i, d := range batch {
			var err error
			if d.to == nil {
				_, err = t.conn.Write(d.p)
			} else {
				_, err = t.conn.WriteTo(d.p, d.to)
			}
			n += len(d.p) + DatagramHeaderSize
			if err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
			batch[i] = netQueued{}
		}
		if !t.loop.push(readyItem{fn: func() { t.wrote(n, errs) }}) {
			t.mu.Lock() // the loop is closed, and so is the socket
			t.queue, t.wRunning = nil, false
			t.mu.Unlock()
			return
		}
	}
}

// wrote runs on the loop after the writer sent n bytes of datagrams,
// headers counted, with the errors some of them met.
func (t *netDatagram) wrote(n int, errs []error) {
	if t.lost {
		return
	}
	t.sent(n)
	for _, err := range errs {
		t.errorReceived(err)
	}
	t.maybeResume(t.loop, t.proto, t.size)
	if t.closing && t.size == 0 {
		t.finish(nil)
	}
}

func (t *netDatagram) Close() error {
	if t.closing {
		return nil
	}
	t.closing = true
	if t.size == 0 {
		t.loop.CallSoon(func() { t.finish(nil) })
	}
	return nil
}

func (t *netDatagram) Abort() {
	if t.lost {
		return
	}
	t.closing = true
	t.dropQueue()
	t.loop.CallSoon(func() { t.finish(nil) })
}

// dropQueue forgets the datagrams not yet sent.
func (t *netDatagram) dropQueue() {
	t.mu.Lock()
	t.queue = nil
	t.mu.Unlock()
	t.dropped()
}

func (t *netDatagram) closeForLoop() {
	t.closing = true
	t.finish(ErrLoopClosed)
}

// finish closes the socket, releases the goroutines and tells the
// protocol, once.
func (t *netDatagram) finish(err error) {
	if t.lost {
		return
	}
	t.lost = true
	t.loop.untrack(t)
	t.dropQueue()
	t.conn.Close()
	close(t.done)
	t.parked = nil
	t.proto.ConnectionLost(err)
}

// PauseReading takes effect in received: the reader may have read ahead.
func (t *netDatagram) PauseReading() { t.pauseReading() }

func (t *netDatagram) ResumeReading() {
	if !t.resumeReading() {
		return
	}
	switch {
	case !t.started:
		t.startReading()
	case t.parked != nil:
		in := *t.parked
		t.parked = nil
		t.loop.CallSoon(func() { t.received(in) })
	case t.held:
		t.held = false
		t.resume <- struct{}{}
	}
}

func (t *netDatagram) LocalAddr() net.Addr { return t.conn.LocalAddr() }
