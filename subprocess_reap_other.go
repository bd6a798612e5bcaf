//go:build !linux

package asyncio

// reap arranges for the child to be reaped when it ends; without pidfd, a
// goroutine waits for it.
func (p *Process) reap() error { return p.reapByWaiting() }
