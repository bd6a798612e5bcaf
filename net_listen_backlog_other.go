//go:build !unix

package asyncio

import "net"

// setBacklog does nothing: Windows keeps the backlog of a socket's first
// listen, which the net package makes with the system's maximum, and the
// net package's ListenConfig has no backlog (its Control runs before bind,
// too early to listen). Backlog has no effect on the portable backend
// there.
func setBacklog(net.Listener, int) error { return nil }
