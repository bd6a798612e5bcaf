package asyncio

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// reap arranges for the child to be reaped when it ends. On the poller
// backend the loop watches a pidfd, which becomes readable when the child
// exits: no thread waits for it. Elsewhere a goroutine waits.
func (p *Process) reap() error {
	if p.loop.portable() {
		return p.reapByWaiting()
	}
	pidfd, err := unix.PidfdOpen(p.proc.Pid, 0)
	if errors.Is(err, unix.ENOSYS) {
		return p.reapByWaiting()
	}
	if err != nil {
		return os.NewSyscallError("pidfd_open", err)
	}
	unix.CloseOnExec(pidfd)
	return p.loop.AddReader(pidfd, func() {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(p.proc.Pid, &ws, unix.WNOHANG, nil)
		if pid == 0 || err == unix.EINTR {
			return // not yet
		}
		p.loop.RemoveReader(pidfd)
		unix.Close(pidfd)
		p.proc.Release()
		if err != nil {
			p.exited.TrySetError(os.NewSyscallError("wait4", err))
			return
		}
		p.exited.TrySetResult(exitCode(syscall.WaitStatus(ws)))
	})
}
