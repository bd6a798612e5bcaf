//go:build unix

package asyncio

import (
	"context"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// datagramReadBatch is the most datagrams a readiness event delivers
// before the loop goes on with its other work. asyncio reads one per
// event; reading on until the socket is empty, within the bound, saves a
// poll per datagram and keeps a flooded endpoint from starving the rest.
const datagramReadBatch = 32

// fdDatagram is a DatagramTransport over a non-blocking datagram socket
// watched by the loop's poller, like asyncio's _SelectorDatagramTransport.
type fdDatagram struct {
	datagramBase
	fd      int
	reading bool // the loop watches fd for reading
	writing bool // the loop watches fd for writing

	queue []fdQueued // datagrams the socket refused, from head on
	head  int

	// The last sender's address and the last destination, converted:
	// a peer that talks and is answered costs no conversion per datagram.
	lastFrom   unix.Sockaddr
	lastFromNA net.Addr
	lastTo     net.Addr
	lastToSA   unix.Sockaddr

	readFn, writeFn func() // bound once: watching costs no allocation
}

// fdQueued is a datagram waiting for the socket: its own copy of the
// bytes, and where it goes (nil: the connected peer).
type fdQueued struct {
	p  []byte
	to unix.Sockaddr
}

// openFDDatagram opens a non-blocking socket for pair, with the options of cfg,
// bound and connected as asked.
func openFDDatagram(ctx context.Context, l *Loop, pair datagramPair, cfg datagramConfig) (datagramTransport, error) {
	if _, err := l.ioPoller(); err != nil {
		return nil, err
	}
	family := unix.AF_INET
	switch pair.network {
	case "udp6":
		family = unix.AF_INET6
	case "unixgram":
		family = unix.AF_UNIX
		if a, ok := pair.local.(*net.UnixAddr); ok {
			if err := removeStaleSocketFile(a.Name); err != nil {
				return nil, err
			}
		}
	}
	fd, err := socket(family, unix.SOCK_DGRAM)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	fail := func(op string, a net.Addr, err error) (datagramTransport, error) {
		unix.Close(fd)
		return nil, &net.OpError{Op: op, Net: pair.network, Addr: a, Err: err}
	}
	if err := setDatagramSockopts(fd, family, cfg); err != nil {
		return fail("listen", pair.local, err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return fail("listen", pair.local, os.NewSyscallError("setnonblock", err))
	}
	if pair.local != nil {
		sa, err := sockaddr(pair.local)
		if err == nil {
			err = os.NewSyscallError("bind", unix.Bind(fd, sa))
		}
		if err != nil {
			return fail("listen", pair.local, err)
		}
	}
	connected := pair.remote != nil && !cfg.broadcast
	if connected {
		if err := SockConnect(ctx, fd, pair.remote); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	t := &fdDatagram{fd: fd}
	t.init(l, pair, connected)
	t.readFn, t.writeFn = t.readReady, t.writeReady
	l.track(t)
	return t, nil
}

// setDatagramSockopts sets the options of cfg on a datagram socket, and
// makes an IPv6 socket IPv6 only, as the net package's are.
func setDatagramSockopts(fd, family int, cfg datagramConfig) error {
	if family == unix.AF_INET6 {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	}
	if cfg.reusePort {
		if err := setReusePort(fd); err != nil {
			return err
		}
	}
	if family != unix.AF_UNIX {
		// The net package allows broadcast on every UDP socket; asyncio
		// only when asked.
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BROADCAST, boolInt(cfg.broadcast)); err != nil {
			return os.NewSyscallError("setsockopt SO_BROADCAST", err)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// datagramControl returns what sets the options of cfg on a socket the
// net package makes (the portable backend's).
func datagramControl(cfg datagramConfig) func(network, address string, c syscall.RawConn) error {
	return func(network, _ string, c syscall.RawConn) error {
		family := unix.AF_INET
		switch network {
		case "udp6":
			family = unix.AF_INET6
		case "unixgram":
			family = unix.AF_UNIX
		}
		var err error
		if cerr := c.Control(func(fd uintptr) { err = setDatagramSockopts(int(fd), family, cfg) }); cerr != nil {
			return cerr
		}
		return err
	}
}

func (t *fdDatagram) startReading() {
	if !t.reading && t.loop.AddReader(t.fd, t.readFn) == nil {
		t.reading = true
	}
}

func (t *fdDatagram) stopReading() {
	if t.reading {
		t.loop.RemoveReader(t.fd)
		t.reading = false
	}
}

// readReady runs when fd is readable. It reads into the loop's read
// buffer, shared by all its transports: the protocol may use the data only
// during DatagramReceived. A datagram longer than the buffer (64 KiB,
// more than UDP carries) is truncated.
func (t *fdDatagram) readReady() {
	buf := t.loop.readBuffer()
	for range datagramReadBatch {
		n, from, err := unix.Recvfrom(t.fd, buf, 0)
		switch err {
		case nil:
			t.proto.DatagramReceived(buf[:n], t.fromAddr(from))
		case unix.EAGAIN:
			return
		case unix.EINTR:
			continue
		default:
			// As asyncio: an error of the socket, such as the
			// ECONNREFUSED of an ICMP port unreachable, is the protocol's
			// to hear; the endpoint stays open.
			t.errorReceived(t.opError("read", "recvfrom", nil, err))
		}
		if !t.reading {
			return // paused or closed by the protocol
		}
	}
}

// fromAddr converts a sender's address, reusing the last conversion when
// the sender is the same.
func (t *fdDatagram) fromAddr(sa unix.Sockaddr) net.Addr {
	if t.lastFrom != nil && sameSockaddr(sa, t.lastFrom) {
		return t.lastFromNA
	}
	t.lastFrom, t.lastFromNA = sa, datagramAddr(sa)
	return t.lastFromNA
}

// sameSockaddr reports whether a and b are the same address.
func sameSockaddr(a, b unix.Sockaddr) bool {
	switch a := a.(type) {
	case *unix.SockaddrInet4:
		b, ok := b.(*unix.SockaddrInet4)
		return ok && *a == *b
	case *unix.SockaddrInet6:
		b, ok := b.(*unix.SockaddrInet6)
		return ok && a.Port == b.Port && a.ZoneId == b.ZoneId && a.Addr == b.Addr
	case *unix.SockaddrUnix:
		b, ok := b.(*unix.SockaddrUnix)
		return ok && a.Name == b.Name
	}
	return false
}

// opError wraps the error of a system call on the socket as the net
// package does; to is the datagram's destination, nil for the remote
// address.
func (t *fdDatagram) opError(op, call string, to net.Addr, err error) error {
	if to == nil {
		to = t.remote
	}
	return &net.OpError{Op: op, Net: t.network, Source: t.LocalAddr(), Addr: to, Err: os.NewSyscallError(call, err)}
}

func (t *fdDatagram) SendTo(p []byte, addr net.Addr) error {
	if t.closing {
		return ErrTransportClosing
	}
	to, err := t.dest(addr)
	if err != nil {
		return err
	}
	var sa unix.Sockaddr
	if to != nil {
		if sa, err = t.toSockaddr(to); err != nil {
			return err
		}
	}
	if t.head == len(t.queue) {
		// Nothing queued: try the socket first, as asyncio does, so a
		// datagram costs no copy and no wait.
		err := t.send(p, sa)
		switch err {
		case nil:
			return nil
		case unix.EAGAIN:
		default:
			t.errorReceived(t.opError("write", "sendto", to, err))
			return nil
		}
	}
	t.queue = append(t.queue, fdQueued{p: append([]byte(nil), p...), to: sa})
	if !t.writing && t.loop.AddWriter(t.fd, t.writeFn) == nil {
		t.writing = true
	}
	t.queued(len(p))
	return nil
}

// toSockaddr converts a destination, reusing the last conversion when the
// destination is the same.
func (t *fdDatagram) toSockaddr(to net.Addr) (unix.Sockaddr, error) {
	if t.lastTo != nil && sameAddr(to, t.lastTo) {
		return t.lastToSA, nil
	}
	sa, err := sockaddr(to)
	if err != nil {
		return nil, err
	}
	t.lastTo, t.lastToSA = to, sa
	return sa, nil
}

// send makes one attempt to send p to sa (nil: the connected peer),
// retrying an interrupted call.
func (t *fdDatagram) send(p []byte, sa unix.Sockaddr) error {
	for {
		// send(2) for a connected socket: write(2) may send nothing for
		// an empty p.
		if err := unix.Sendto(t.fd, p, 0, sa); err != unix.EINTR {
			return err
		}
	}
}

// writeReady runs when fd is writable and datagrams wait.
func (t *fdDatagram) writeReady() {
	for t.head < len(t.queue) {
		d := t.queue[t.head]
		err := t.send(d.p, d.to)
		if err == unix.EAGAIN {
			break
		}
		t.queue[t.head] = fdQueued{}
		t.head++
		t.sent(len(d.p) + DatagramHeaderSize)
		if err != nil {
			t.errorReceived(t.opError("write", "sendto", datagramAddr(d.to), err))
			if !t.writing {
				return // aborted by the protocol
			}
		}
	}
	t.maybeResume(t.loop, t.proto, t.size) // may queue more
	if t.head < len(t.queue) {
		if t.head > len(t.queue)/2 { // keep the queue from only growing
			n := copy(t.queue, t.queue[t.head:])
			clear(t.queue[n:])
			t.queue, t.head = t.queue[:n], 0
		}
		return
	}
	t.queue, t.head = t.queue[:0], 0
	t.loop.RemoveWriter(t.fd)
	t.writing = false
	if t.closing {
		t.finish(nil)
	}
}

func (t *fdDatagram) Close() error {
	if t.closing {
		return nil
	}
	t.closing = true
	t.stopReading()
	if t.head == len(t.queue) {
		t.loop.CallSoon(func() { t.finish(nil) })
	}
	return nil
}

func (t *fdDatagram) Abort() {
	if t.lost {
		return
	}
	t.closing = true
	t.stopReading()
	t.dropQueue()
	t.loop.CallSoon(func() { t.finish(nil) })
}

func (t *fdDatagram) dropQueue() {
	if t.writing {
		t.loop.RemoveWriter(t.fd)
		t.writing = false
	}
	t.queue, t.head = nil, 0
	t.dropped()
}

// closeForLoop ends the transport when its loop closes.
func (t *fdDatagram) closeForLoop() {
	t.closing = true
	t.finish(ErrLoopClosed)
}

// finish closes the socket and tells the protocol, once.
func (t *fdDatagram) finish(err error) {
	if t.lost {
		return
	}
	t.lost = true
	t.loop.untrack(t)
	t.stopReading()
	t.dropQueue()
	unix.Close(t.fd)
	t.proto.ConnectionLost(err)
}

func (t *fdDatagram) PauseReading() {
	if t.pauseReading() {
		t.stopReading()
	}
}

func (t *fdDatagram) ResumeReading() {
	if t.resumeReading() {
		t.startReading()
	}
}

func (t *fdDatagram) LocalAddr() net.Addr {
	if t.lost {
		return nil
	}
	sa, err := unix.Getsockname(t.fd)
	if err != nil {
		return nil
	}
	return datagramAddr(sa)
}
