//go:build !unix

package asyncio

import (
	"errors"
	"os"
	"syscall"
)

func sysProcAttr(group bool) *syscall.SysProcAttr { return nil }

// signalGroup fails: process groups are Unix's.
func signalGroup(int, os.Signal) error { return errors.ErrUnsupported }
