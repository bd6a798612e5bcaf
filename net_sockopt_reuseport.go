//go:build unix && !solaris && !illumos

package asyncio

import "golang.org/x/sys/unix"

const soReusePort = unix.SO_REUSEPORT
