//go:build linux

package poller

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Supported reports whether this system has a poller.
const Supported = true

// Poller is the epoll backend. Wakes go through an eventfd registered with
// the epoll instance.
type Poller struct {
	epfd   int
	wakefd int
	woken  atomic.Bool // a Wake is pending: later ones need no write
	raw    []unix.EpollEvent
	closed atomic.Bool
	life   sync.RWMutex // Wake holds it shared, Close exclusively: no write to a closed descriptor
}

// New returns a Poller.
func New() (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, err
	}
	return &Poller{epfd: epfd, wakefd: wakefd, raw: make([]unix.EpollEvent, 128)}, nil
}

func interest(read, write bool) uint32 {
	var e uint32
	if read {
		e |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if write {
		e |= unix.EPOLLOUT
	}
	return e
}

// Add registers fd for the given interests.
func (p *Poller) Add(fd int, read, write bool) error {
	ev := unix.EpollEvent{Events: interest(read, write), Fd: int32(fd)}
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
}

// Modify changes the interests of a registered fd.
func (p *Poller) Modify(fd int, read, write bool) error {
	ev := unix.EpollEvent{Events: interest(read, write), Fd: int32(fd)}
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
}

// Remove forgets fd.
func (p *Poller) Remove(fd int) error {
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil)
}

// Wait waits for readiness; see the package contract.
func (p *Poller) Wait(timeout time.Duration, events []Event) (int, error) {
	max := min(len(events)+1, len(p.raw)) // one slot may be the wake
	n, err := unix.EpollWait(p.epfd, p.raw[:max], timeoutMillis(timeout))
	if err == unix.EINTR {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	k := 0
	for _, ev := range p.raw[:n] {
		fd := int(ev.Fd)
		if fd == p.wakefd {
			var buf [8]byte
			unix.Read(p.wakefd, buf[:])
			p.woken.Store(false)
			continue
		}
		if k == len(events) {
			break // level-triggered: the rest is reported next time
		}
		bad := ev.Events&(unix.EPOLLERR|unix.EPOLLHUP) != 0
		events[k] = Event{
			FD:       fd,
			Readable: bad || ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP) != 0,
			Writable: bad || ev.Events&unix.EPOLLOUT != 0,
		}
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
	one := [8]byte{1}
	_, err := unix.Write(p.wakefd, one[:])
	if err == unix.EAGAIN { // the counter is full: a wake is pending anyway
		return nil
	}
	return err
}

// Close releases the poller's descriptors.
func (p *Poller) Close() error {
	p.life.Lock()
	defer p.life.Unlock()
	if p.closed.Swap(true) {
		return nil
	}
	unix.Close(p.wakefd)
	return unix.Close(p.epfd)
}
