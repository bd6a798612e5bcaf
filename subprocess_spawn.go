package asyncio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// A child is a process just started, with the parent's ends of its pipes.
type child struct {
	proc   *os.Process
	parent [3]*os.File // ours, for Pipe: the child's stdin, stdout, stderr
	group  bool        // the child leads a process group of its own
}

// startChild starts the program: it looks name up in PATH if lookPath is
// set, opens the child's standard streams and forks and execs it. Each of
// these blocks the calling thread (fork and exec take a millisecond or
// more, and the runtime serializes them), so it runs off the loop.
func startChild(name string, lookPath bool, argv []string, cfg procConfig) (*child, error) {
	path := name
	if lookPath {
		lp, err := exec.LookPath(name)
		if err == nil {
			path = lp
		} else if !errors.Is(err, exec.ErrDot) {
			return nil, err
		}
	}
	c := &child{group: cfg.ownGroup()}
	var own [3]*os.File // the child's ends, ours to close once it has them
	closeOwn := func() {
		for i, f := range own {
			if f != nil {
				f.Close()
				own[i] = nil
			}
		}
	}
	modes := [3]StdioMode{cfg.stdin, cfg.stdout, cfg.stderr}
	for i, m := range modes {
		var err error
		switch m {
		case Inherit, ToStdout:
		case DevNull:
			flag := os.O_WRONLY
			if i == 0 {
				flag = os.O_RDONLY
			}
			own[i], err = os.OpenFile(os.DevNull, flag, 0)
		case Pipe:
			var r, w *os.File
			r, w, err = os.Pipe()
			if i == 0 {
				own[i], c.parent[i] = r, w
			} else {
				own[i], c.parent[i] = w, r
			}
		default:
			err = fmt.Errorf("asyncio: unknown stdio mode %d", m)
		}
		if err != nil {
			closeOwn()
			c.closePipes()
			return nil, err
		}
	}
	files := []*os.File{os.Stdin, os.Stdout, os.Stderr}
	for i, f := range own {
		if f != nil {
			files[i] = f
		}
	}
	if cfg.stderr == ToStdout {
		files[2] = files[1]
	}
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Dir: cfg.dir, Env: cfg.env, Files: files, Sys: sysProcAttr(c.group)})
	closeOwn()
	if err != nil {
		c.closePipes()
		return nil, err
	}
	c.proc = proc
	return c, nil
}

// closePipes closes the parent's ends of the pipes.
func (c *child) closePipes() {
	for i, f := range c.parent {
		if f != nil {
			f.Close()
			c.parent[i] = nil
		}
	}
}

// discard kills and reaps a child nobody will use (its start was
// cancelled), and closes its pipes. It blocks until the child is gone.
func (c *child) discard() {
	c.closePipes()
	if !c.group || signalGroup(c.proc.Pid, os.Kill) != nil {
		c.proc.Kill()
	}
	c.proc.Wait()
}

// A handoff hands a child started off the loop to the task that asked for
// it, or, if that task has stopped waiting, to the cleanup.
type handoff struct {
	mu        sync.Mutex
	c         *child
	err       error
	done      bool // c and err are set
	abandoned bool // the task stopped waiting: the goroutine discards c
}

// startOffLoop runs start on a goroutine of its own and waits for the child
// it starts. The goroutine belongs to the loop: it is counted in the
// loop's ioGoroutines, which Loop.Close waits for, and in its external
// work, so a virtual clock does not jump while a child starts. It ends
// once the child has started (or failed to), and hands the child over;
// if ctx was cancelled meanwhile, it kills and reaps the child instead,
// so a cancelled start leaves no process and no descriptor behind.
// A goroutine per spawn rather than the loop's executor: the executor's
// work may outlive Loop.Close, and a spawn must not queue behind the
// blocking work of ToThread.
//
// The goroutines start their children one at a time (spawnSlot). The
// runtime forks one at a time anyway (syscall.ForkLock), but a goroutine
// blocked in a fork keeps its P until the runtime takes it back, and with
// fifty of them runnable the loop, woken from its poll, waits for a P
// behind them: 50 concurrent spawns made a 5 ms ticker up to 80 ms late,
// and 5–10 ms one at a time. A goroutine waiting for the slot is parked and
// costs the loop nothing; one whose task has stopped waiting by the time
// it gets the slot starts nothing.
func startOffLoop(ctx context.Context, l *Loop, start func() (*child, error)) (*child, error) {
	h := &handoff{}
	ready := NewFuture[struct{}](ctx)
	l.external.Add(1)
	l.ioGoroutines.Add(1)
	go func() {
		defer l.ioGoroutines.Done()
		defer l.endExternal()
		defer ready.TrySetResult(struct{}{})
		spawnSlot <- struct{}{}
		defer func() { <-spawnSlot }()
		if h.wanted() {
			if c, err := start(); !h.deliver(c, err) && c != nil {
				c.discard()
			}
		}
	}()
	_, err := ready.waitIn(ctx, waitProcess)
	return h.collect(l, err)
}

// spawnSlot lets one goroutine of the process start a child at a time
// (see startOffLoop).
var spawnSlot = make(chan struct{}, 1)

// wanted reports whether the task still waits for the child.
func (h *handoff) wanted() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.abandoned
}

// deliver gives the task what start returned. It reports false if the task
// has stopped waiting: the child is then the caller's to discard.
func (h *handoff) deliver(c *child, err error) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.abandoned {
		return false
	}
	h.c, h.err, h.done = c, err, true
	return true
}

// collect takes what the goroutine delivered once the task's wait has
// ended with werr. If the wait failed (ctx was cancelled), the start is
// abandoned: the goroutine will discard the child, or, if it has already
// delivered it, a goroutine of the loop's does.
func (h *handoff) collect(l *Loop, werr error) (*child, error) {
	h.mu.Lock()
	c, err, done := h.c, h.err, h.done
	h.abandoned = !done
	h.mu.Unlock()
	if werr == nil {
		return c, err
	}
	if done && c != nil {
		// Started, but the wait lost to the cancellation.
		l.ioGoroutines.Add(1)
		go func() {
			defer l.ioGoroutines.Done()
			c.discard()
		}()
	}
	return nil, werr
}
