//go:build !linux && !darwin && !freebsd && !dragonfly

package poller

import "time"

// Supported reports whether this system has a poller.
const Supported = false

// Poller is absent on this system: New returns ErrNotSupported, and the
// loop waits on a channel instead.
type Poller struct{}

// New returns ErrNotSupported.
func New() (*Poller, error) { return nil, ErrNotSupported }

// Add returns ErrNotSupported.
func (p *Poller) Add(fd int, read, write bool) error { return ErrNotSupported }

// Modify returns ErrNotSupported.
func (p *Poller) Modify(fd int, read, write bool) error { return ErrNotSupported }

// Remove returns ErrNotSupported.
func (p *Poller) Remove(fd int) error { return ErrNotSupported }

// Wait returns ErrNotSupported.
func (p *Poller) Wait(timeout time.Duration, events []Event) (int, error) { return 0, ErrNotSupported }

// Wake returns ErrNotSupported.
func (p *Poller) Wake() error { return ErrNotSupported }

// Close does nothing.
func (p *Poller) Close() error { return nil }
