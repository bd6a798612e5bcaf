//go:build !unix

package asyncio

import (
	"errors"
	"os"
	"syscall"
)

// processGroups says that the system has no process groups: a child to be
// killed on cancellation is killed alone.
const processGroups = false

func sysProcAttr(group bool) *syscall.SysProcAttr { return nil }

// signalGroup fails: process groups are Unix's.
func signalGroup(int, os.Signal) error { return errors.ErrUnsupported }
