// Package simnet is an in-memory network for testing asyncio code: a
// connected pair of transports (Pipe, StreamPipe), and a simulated network
// of named hosts (Network) joined by links with latency, jitter, loss,
// bandwidth and partitions. Its connections implement asyncio.Transport
// and its endpoints asyncio.DatagramTransport, with the contract of the
// loop's own, so a client and a server written against package asyncio run
// on it unchanged but for how they listen and dial.
//
// Everything happens on the loop, in callbacks and timers (Loop.CallLater):
// no goroutine, no socket. On a loop with a virtual clock (asynciotest.Run)
// an hour of retries over a slow, lossy link runs in milliseconds, and with
// the network's seed and the loop's schedule seed fixed, it runs the same
// way every time: every random draw (loss, jitter) comes from the
// network's seed, in an order fixed by the loop's schedule.
//
// # The model
//
// A connection is a simplified TCP. A dial sends one packet to the host it
// names, where the listener on the port accepts the connection (its
// protocol's ConnectionMade) and answers; the dial completes when the
// answer is back, a round trip later. What one end writes is cut into
// segments of at most 16 KiB, each a packet on the link from its host to
// the other's. A packet takes the link's latency, plus a random part of its
// jitter, plus, on a link with a bandwidth, its size over the bandwidth
// after the packets sent before it. At most 256 KiB may be on the way or
// waiting unread at the other end (the receive window): a reader that
// pauses stops the writer, whose transport then buffers and, past its
// high-water mark, pauses a protocol implementing asyncio.WriteFlowControl.
//
// Loss, on a connection, is delay, not missing bytes: a reliable byte
// stream over a lossy link is what TCP gives. Each transmission of a
// packet is lost with the link's Loss probability; a lost packet is sent
// again after a retransmission timeout (200 ms plus twice the link's
// latency and jitter, doubling with each loss of the same packet, at most
// a minute), and the receiver puts segments back in order, so a loss holds
// up everything behind it. Jitter reorders packets on the link; a
// connection hides that (but for the delay) and a datagram endpoint shows
// it. A packet that has been sent again for longer than the user timeout
// (SetUserTimeout, TCP_USER_TIMEOUT; two minutes by default) ends its
// connection with syscall.ETIMEDOUT.
//
// Datagram endpoints (Host.CreateDatagramEndpoint) see loss as loss: a
// datagram that is lost is gone, and one that jitter delays arrives after
// those sent after it.
//
// A partition (Partition) cuts the links between two hosts, both ways,
// until Heal: every packet that would arrive while it lasts is lost,
// including those already on the way when it began. On an open connection
// that is a loss that lasts: writes are buffered and sent again with
// backoff, and go through, late, if the partition heals before the user
// timeout, or end the connection with syscall.ETIMEDOUT if not. An idle
// connection notices nothing, as TCP without keepalives does not: a
// protocol needs its own timeouts. A dial across a partition is retried
// the same way and fails with syscall.ETIMEDOUT after the user timeout (or
// when its ctx ends).
//
// The ends of a connection behave as sockets do: closing sends the peer an
// EOF after the data already written; data that arrives at an end that is
// closed, and closing an end that has received data its protocol has not
// taken, reset the connection (the other end's ConnectionLost gets
// syscall.ECONNRESET). Dialing a host with nothing listening on the port is
// refused (syscall.ECONNREFUSED) after a round trip, or more if packets are
// lost; dialing a host the network does not know fails at once with a
// *net.DNSError. The errors are *net.OpError values, as on a real network.
//
// To catch a protocol that keeps the slice DataReceived gave it, the
// transport overwrites the slice once the call returns, where a real
// transport would overwrite it only at its next read.
//
// A Network's methods, and those of its hosts, listeners and transports,
// are called from code running on its loop. When the loop closes, the
// network stops where it is: its connections end without telling their
// protocols.
package simnet
