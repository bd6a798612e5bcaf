//go:build solaris || illumos

package asyncio

// soReusePort < 0: this system has no SO_REUSEPORT.
const soReusePort = -1
