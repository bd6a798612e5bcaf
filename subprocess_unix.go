//go:build unix

package asyncio

import (
	"os"
	"syscall"
)

// processGroups says that the system has process groups.
const processGroups = true

// sysProcAttr makes the child lead a process group of its own if group is
// set.
func sysProcAttr(group bool) *syscall.SysProcAttr {
	if !group {
		return nil
	}
	return &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to the process group that pid leads.
func signalGroup(pid int, sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return os.ErrInvalid
	}
	return syscall.Kill(-pid, s)
}
