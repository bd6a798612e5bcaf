//go:build !unix

package asyncio

import (
	"errors"
	"syscall"
)

// reusePortControl fails: this system has no SO_REUSEPORT.
func reusePortControl(_, _ string, _ syscall.RawConn) error {
	return errors.ErrUnsupported
}
