package asyncio

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
)

// A StdioMode says what a child process's standard stream is connected to.
type StdioMode int

// The modes of a child's standard streams (asyncio.subprocess's PIPE,
// DEVNULL, STDOUT; inheriting is asyncio's None).
const (
	// Inherit gives the child the parent's stream (the default).
	Inherit StdioMode = iota
	// Pipe connects the stream to the parent through a pipe: the
	// Process's Stdin writer, or its Stdout or Stderr reader.
	Pipe
	// DevNull connects the stream to the null device.
	DevNull
	// ToStdout sends the child's standard error wherever its standard
	// output goes (asyncio.subprocess.STDOUT); only for Stderr.
	ToStdout
)

// A ProcOption configures CreateSubprocessExec and CreateSubprocessShell.
type ProcOption func(*procConfig)

type procConfig struct {
	stdin, stdout, stderr StdioMode
	env                   []string
	dir                   string
	group                 bool // ProcessGroup's choice
	groupSet              bool // ProcessGroup was given
	killOnCancel          bool
}

// ownGroup reports whether the child leads a process group of its own: as
// ProcessGroup says, or else if it is to be killed on cancellation;
// never where there are no process groups.
func (c *procConfig) ownGroup() bool {
	if !processGroups {
		return false
	}
	if c.groupSet {
		return c.group
	}
	return c.killOnCancel
}

// Stdin sets what the child's standard input is.
func Stdin(mode StdioMode) ProcOption { return func(c *procConfig) { c.stdin = mode } }

// Stdout sets what the child's standard output is.
func Stdout(mode StdioMode) ProcOption { return func(c *procConfig) { c.stdout = mode } }

// Stderr sets what the child's standard error is.
func Stderr(mode StdioMode) ProcOption { return func(c *procConfig) { c.stderr = mode } }

// Env sets the child's environment ("KEY=value" entries; asyncio's env);
// by default it inherits the parent's.
func Env(env []string) ProcOption { return func(c *procConfig) { c.env = env } }

// Cwd sets the child's working directory (asyncio's cwd).
func Cwd(dir string) ProcOption { return func(c *procConfig) { c.dir = dir } }

// ProcessGroup(true) starts the child in a process group of its own,
// so that Kill, Terminate, SendSignal and the kill of WithKillOnCancel
// reach every process it starts too (setpgid, Popen's process_group=0).
// ProcessGroup(false) keeps the child in the parent's group, and those
// signals reach the child alone. Without this option, the child leads a
// group of its own exactly when WithKillOnCancel is given. On systems
// without process groups the option does nothing.
//
// A child in a group of its own is outside the terminal's foreground
// group: Ctrl-C at the terminal does not reach it, and it is stopped
// (SIGTTIN) if it reads from the terminal. ProcessGroup(false) is for
// such a child, started WithKillOnCancel.
func ProcessGroup(on bool) ProcOption {
	return func(c *procConfig) { c.group, c.groupSet = on, true }
}

// WithKillOnCancel makes Wait and Communicate kill the child when their
// ctx is cancelled or times out, instead of leaving it running as asyncio
// does, and wait for it to end before they return. Unless
// ProcessGroup(false) is given too, the child leads a process group
// of its own and the whole group is killed, so that the processes it
// started go with it.
func WithKillOnCancel() ProcOption { return func(c *procConfig) { c.killOnCancel = true } }

// A Process is a child process started by CreateSubprocessExec or
// CreateSubprocessShell (asyncio.subprocess.Process). Its methods are
// called from code running on its loop.
type Process struct {
	// Stdin, Stdout and Stderr are the parent's ends of the child's
	// standard streams made with Pipe, or nil.
	Stdin  *StreamWriter
	Stdout *StreamReader
	Stderr *StreamReader

	loop   *Loop
	proc   *os.Process
	pid    int
	exited *Future[int] // the exit code, once the child is reaped
	cfg    procConfig
	// pipes are the writers of the pipes' stream protocols, by standard
	// stream, for Communicate to wait until the pipes are closed.
	pipes [3]*StreamWriter
}

// CreateSubprocessExec starts the program name with args
// (asyncio.create_subprocess_exec). A name without a slash is looked up in
// PATH. The fork and exec run off the loop, which goes on meanwhile; if
// ctx is cancelled before the child has started, the child, if it
// started, is killed and reaped. The child is reaped by the loop: with a
// pidfd watched by the poller where Linux has one, otherwise by a
// goroutine that waits for it. Cancelling a task that waits for the
// process does not stop the child, as in asyncio, unless WithKillOnCancel
// is given.
func CreateSubprocessExec(ctx context.Context, name string, args []string, opts ...ProcOption) (*Process, error) {
	return startProcess(ctx, name, true, append([]string{name}, args...), opts)
}

// CreateSubprocessShell runs cmd with the shell, /bin/sh -c
// (asyncio.create_subprocess_shell), started as CreateSubprocessExec
// starts a program. Quoting what goes into cmd is the caller's job.
func CreateSubprocessShell(ctx context.Context, cmd string, opts ...ProcOption) (*Process, error) {
	return startProcess(ctx, "/bin/sh", false, []string{"/bin/sh", "-c", cmd}, opts)
}

func startProcess(ctx context.Context, name string, lookPath bool, argv []string, opts []ProcOption) (*Process, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	var cfg procConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.stdin == ToStdout || cfg.stdout == ToStdout {
		return nil, errors.New("asyncio: ToStdout is only for Stderr")
	}
	c, err := startOffLoop(ctx, l, func() (*child, error) { return startChild(name, lookPath, argv, cfg) })
	if err != nil {
		return nil, err
	}
	p := &Process{loop: l, proc: c.proc, pid: c.proc.Pid, exited: NewFuture[int](ctx), cfg: cfg}
	if err := p.reap(); err != nil {
		l.ioGoroutines.Add(1)
		go func() {
			defer l.ioGoroutines.Done()
			c.discard()
		}()
		return nil, err
	}
	if err := p.connectPipes(ctx, c.parent); err != nil {
		// As asyncio does when a start fails half-way: kill the child and
		// wait for it, whatever ctx says.
		p.killAndWait(ctx)
		return nil, err
	}
	return p, nil
}

// connectPipes makes the parent's ends of the pipes into streams. If one
// fails, it closes them all.
func (p *Process) connectPipes(ctx context.Context, parent [3]*os.File) error {
	var (
		err        error
		transports []Transport
	)
	for i, f := range parent {
		if f == nil {
			continue
		}
		if err != nil {
			f.Close()
			continue
		}
		var t Transport
		sp := newStreamProtocol(DefaultStreamLimit, nil)
		p.pipes[i] = &sp.writer
		if i == 0 {
			t, err = ConnectWritePipe(ctx, f, sp)
			p.Stdin = &sp.writer
		} else {
			t, err = ConnectReadPipe(ctx, f, sp)
			if i == 1 {
				p.Stdout = &sp.reader
			} else {
				p.Stderr = &sp.reader
			}
		}
		if err != nil {
			f.Close() // if the transport has not taken it
		} else {
			transports = append(transports, t)
		}
	}
	if err != nil {
		for _, t := range transports {
			t.Abort()
		}
	}
	return err
}

// PID returns the child's process id. It keeps it once the child has
// ended, as asyncio's pid does, though the system may then have given the
// number to another process.
func (p *Process) PID() int { return p.pid }

// Wait waits for the child to end and returns its exit code: negative, the
// signal's number, if a signal ended it, as asyncio's returncode is.
// Cancelling the wait leaves the child running, unless WithKillOnCancel
// was given: then the child (or its group) is killed, Wait waits for it to
// end, and returns the cancellation with the child's exit code, which
// ReturnCode reports from then on.
func (p *Process) Wait(ctx context.Context) (int, error) {
	code, err := p.exited.waitIn(ctx, waitProcess)
	if err != nil && p.cfg.killOnCancel && !p.exited.Done() {
		p.killAndWait(ctx)
		code, _ = p.ReturnCode()
	}
	return code, err
}

// killAndWait kills the child and waits until it is reaped, even though
// ctx is cancelled: SIGKILL ends it at once. If the kill fails, it does
// not wait.
func (p *Process) killAndWait(ctx context.Context) {
	if p.Kill() == nil {
		p.exited.waitIn(context.WithoutCancel(ctx), waitProcess)
	}
}

// ReturnCode returns the exit code and true once the child has ended
// (asyncio's returncode).
func (p *Process) ReturnCode() (int, bool) {
	if !p.exited.Done() {
		return 0, false
	}
	code, _ := p.exited.Result()
	return code, true
}

// SendSignal sends sig to the child, unless it has already ended; to its
// whole process group if it leads one (see ProcessGroup).
func (p *Process) SendSignal(sig os.Signal) error {
	if p.exited.Done() {
		return nil
	}
	if p.cfg.ownGroup() {
		// The child may have left its group (setsid, setpgid): then the
		// group is gone, and the signal goes to the child alone.
		if err := signalGroup(p.pid, sig); !errors.Is(err, syscall.ESRCH) {
			return err
		}
	}
	return p.proc.Signal(sig)
}

// Terminate sends SIGTERM to the child.
func (p *Process) Terminate() error { return p.SendSignal(syscall.SIGTERM) }

// Kill kills the child (SIGKILL).
func (p *Process) Kill() error { return p.SendSignal(os.Kill) }

// Communicate writes input to the child's standard input and closes it,
// while it reads all of the child's standard output and error, then waits
// for the child to end (asyncio's communicate). Feeding and reading run
// concurrently, so no pipe fills and stalls the child. The output of a
// stream not made with Pipe is nil; input is ignored without a Stdin pipe.
// Communicate returns once the pipes are closed, as asyncio's returns once
// their transports have disconnected.
//
// If ctx is cancelled or times out, Communicate returns the error with
// the output read until then, as an io.Reader returns what it read. With
// WithKillOnCancel it kills the child first and waits for it to end, so
// that ReturnCode is set when Communicate returns.
func (p *Process) Communicate(ctx context.Context, input []byte) (stdout, stderr []byte, err error) {
	if p.Stdout != nil {
		stdout = []byte{}
	}
	if p.Stderr != nil {
		stderr = []byte{}
	}
	_, err = Gather(ctx,
		func(ctx context.Context) (struct{}, error) {
			if p.Stdin == nil {
				return struct{}{}, nil
			}
			if len(input) > 0 {
				p.Stdin.Write(input)
				if err := p.Stdin.Drain(ctx); err != nil && !errors.Is(err, syscall.EPIPE) {
					return struct{}{}, err
				}
			}
			p.Stdin.Close()
			return struct{}{}, waitClosed(ctx, p.pipes[0])
		},
		func(ctx context.Context) (struct{}, error) {
			if err := readAll(ctx, p.Stdout, &stdout); err != nil {
				return struct{}{}, err
			}
			return struct{}{}, waitClosed(ctx, p.pipes[1])
		},
		func(ctx context.Context) (struct{}, error) {
			if err := readAll(ctx, p.Stderr, &stderr); err != nil {
				return struct{}{}, err
			}
			return struct{}{}, waitClosed(ctx, p.pipes[2])
		},
	)
	if err == nil {
		_, err = p.Wait(ctx)
		return stdout, stderr, err
	}
	if p.cfg.killOnCancel && !p.exited.Done() {
		p.killAndWait(ctx)
	}
	// What the streams buffered before the error was read too.
	readBuffered(ctx, p.Stdout, &stdout)
	readBuffered(ctx, p.Stderr, &stderr)
	return stdout, stderr, err
}

// readAll appends what r holds to *out until the end of the stream, or
// until a read fails. A nil r has nothing to read.
func readAll(ctx context.Context, r *StreamReader, out *[]byte) error {
	if r == nil {
		return nil
	}
	for {
		b, err := r.Read(ctx, communicateChunk)
		*out = append(*out, b...)
		if errors.Is(err, io.EOF) || err == nil && len(b) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// waitClosed waits until the transport of a pipe that Communicate is done
// with has closed, so that no descriptor of the child's is left open when
// Communicate returns: a read pipe closes at its end of file, the stdin
// pipe once its buffer is sent. The pipe's own error, if it has one, was
// the read's or the write's to report (a broken stdin pipe is none); only
// a cancellation is returned.
func waitClosed(ctx context.Context, w *StreamWriter) error {
	if w == nil {
		return nil
	}
	w.WaitClosed(ctx)
	return waitError(ctx)
}

// communicateChunk is more than a stream reader buffers: each read of
// Communicate takes all there is.
const communicateChunk = 1 << 30

// readBuffered appends to *out what r has buffered, without waiting for
// more: under a cancelled ctx, a read that would wait fails at once.
func readBuffered(ctx context.Context, r *StreamReader, out *[]byte) {
	if r == nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	for {
		b, err := r.Read(ctx, communicateChunk)
		*out = append(*out, b...)
		if err != nil || len(b) == 0 {
			return
		}
	}
}

// exitCode turns a wait status into asyncio's returncode.
func exitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return -int(ws.Signal())
	}
	return ws.ExitStatus()
}
