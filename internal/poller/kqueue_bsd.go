//go:build darwin || freebsd || dragonfly

package poller

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Supported reports whether this system has a poller.
const Supported = true

// Poller is the kqueue backend. A descriptor has a read filter and a write
// filter of its own; wakes go through an EVFILT_USER event.
type Poller struct {
	kq     int
	woken  atomic.Bool
	raw    []unix.Kevent_t
	closed atomic.Bool
	life   sync.RWMutex // Wake holds it shared, Close exclusively: no write to a closed descriptor
}

const wakeIdent = 0

// New returns a Poller.
func New() (*Poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(kq)
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Flags: unix.EV_ADD | unix.EV_CLEAR}
	if _, err := unix.Kevent(kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		unix.Close(kq)
		return nil, err
	}
	return &Poller{kq: kq, raw: make([]unix.Kevent_t, 128)}, nil
}

func (p *Poller) change(fd int, filter int16, on bool) unix.Kevent_t {
	var flags uint16 = unix.EV_DELETE
	if on {
		flags = unix.EV_ADD | unix.EV_ENABLE
	}
	var ev unix.Kevent_t
	unix.SetKevent(&ev, fd, int(filter), int(flags))
	return ev
}

func (p *Poller) apply(fd int, read, write, oldRead, oldWrite bool) error {
	var changes []unix.Kevent_t
	if read != oldRead {
		changes = append(changes, p.change(fd, unix.EVFILT_READ, read))
	}
	if write != oldWrite {
		changes = append(changes, p.change(fd, unix.EVFILT_WRITE, write))
	}
	if len(changes) == 0 {
		return nil
	}
	_, err := unix.Kevent(p.kq, changes, nil, nil)
	return err
}

// Add registers fd for the given interests.
func (p *Poller) Add(fd int, read, write bool) error { return p.apply(fd, read, write, false, false) }

// Modify changes the interests of a registered fd. kqueue keeps a filter
// per interest, so both are set again.
func (p *Poller) Modify(fd int, read, write bool) error {
	// Deleting a filter that is not there fails with ENOENT: add or delete
	// each filter on its own and ignore that error.
	for _, c := range []unix.Kevent_t{p.change(fd, unix.EVFILT_READ, read), p.change(fd, unix.EVFILT_WRITE, write)} {
		if _, err := unix.Kevent(p.kq, []unix.Kevent_t{c}, nil, nil); err != nil && err != unix.ENOENT {
			return err
		}
	}
	return nil
}

// Remove forgets fd.
func (p *Poller) Remove(fd int) error { return p.Modify(fd, false, false) }

// Wait waits for readiness; see the package contract.
func (p *Poller) Wait(timeout time.Duration, events []Event) (int, error) {
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(timeout))
		ts = &t
	}
	max := min(len(events)+1, len(p.raw))
	n, err := unix.Kevent(p.kq, nil, p.raw[:max], ts)
	if err == unix.EINTR {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	k := 0
	for _, ev := range p.raw[:n] {
		if ev.Filter == unix.EVFILT_USER {
			p.woken.Store(false)
			continue
		}
		if k == len(events) {
			break
		}
		fd := int(ev.Ident)
		bad := ev.Flags&(unix.EV_EOF|unix.EV_ERROR) != 0
		e := Event{FD: fd, Readable: ev.Filter == unix.EVFILT_READ || bad, Writable: ev.Filter == unix.EVFILT_WRITE || bad}
		// The read and write filters of one descriptor come as two events:
		// merge them.
		if k > 0 && events[k-1].FD == fd {
			events[k-1].Readable = events[k-1].Readable || e.Readable
			events[k-1].Writable = events[k-1].Writable || e.Writable
			continue
		}
		events[k] = e
		k++
	}
	return k, nil
}

// Wake interrupts a Wait, now or the next one.
func (p *Poller) Wake() error {
	if p.woken.Swap(true) {
		return nil
	}
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return nil
	}
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Fflags: unix.NOTE_TRIGGER}
	_, err := unix.Kevent(p.kq, []unix.Kevent_t{ev}, nil, nil)
	return err
}

// Close releases the kqueue.
func (p *Poller) Close() error {
	p.life.Lock()
	defer p.life.Unlock()
	if p.closed.Swap(true) {
		return nil
	}
	return unix.Close(p.kq)
}
