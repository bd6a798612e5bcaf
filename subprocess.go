package asyncio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
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
	group                 bool // the child leads a new process group
	killOnCancel          bool
}

// Stdin sets what the child's standard input is.
func Stdin(mode StdioMode) ProcOption { return func(c *procConfig) { c.stdin = mode } }

// Stdout sets what the child's standard output is.
func Stdout(mode StdioMode) ProcOption { return func(c *procConfig) { c.stdout = mode } }

// Stderr sets what the child's standard error is.
func Stderr(mode StdioMode) ProcOption { return func(c *procConfig) { c.stderr = mode } }

// WithEnv sets the child's environment ("KEY=value" entries); by default it
// inherits the parent's.
func WithEnv(env []string) ProcOption { return func(c *procConfig) { c.env = env } }

// WithDir sets the child's working directory.
func WithDir(dir string) ProcOption { return func(c *procConfig) { c.dir = dir } }

// WithProcessGroup starts the child in a process group of its own, so that
// Kill and SendSignal reach every process it starts too (Unix; setpgid).
func WithProcessGroup() ProcOption { return func(c *procConfig) { c.group = true } }

// WithKillOnCancel makes Wait and Communicate kill the child (its whole
// process group, with WithProcessGroup) when their ctx is cancelled or
// times out, instead of leaving it running as asyncio does.
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
	exited *Future[int] // the exit code, once the child is reaped
	cfg    procConfig
}

// CreateSubprocessExec starts the program name with args
// (asyncio.create_subprocess_exec). A name without a slash is looked up in
// PATH. The child is reaped by the loop: with a pidfd watched by the
// poller where Linux has one, otherwise by a goroutine that waits for it.
// Cancelling a task that waits for the process does not stop the child,
// as in asyncio: call Kill.
func CreateSubprocessExec(ctx context.Context, name string, args []string, opts ...ProcOption) (*Process, error) {
	path := name
	if lp, err := exec.LookPath(name); err == nil {
		path = lp
	} else if !errors.Is(err, exec.ErrDot) {
		return nil, err
	}
	return startProcess(ctx, path, append([]string{name}, args...), opts)
}

// CreateSubprocessShell runs cmd with the shell, /bin/sh -c
// (asyncio.create_subprocess_shell). Quoting what goes into cmd is the
// caller's job.
func CreateSubprocessShell(ctx context.Context, cmd string, opts ...ProcOption) (*Process, error) {
	return startProcess(ctx, "/bin/sh", []string{"/bin/sh", "-c", cmd}, opts)
}

func startProcess(ctx context.Context, path string, argv []string, opts []ProcOption) (*Process, error) {
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
	var (
		child    [3]*os.File // the child's ends
		parent   [3]*os.File // ours, for Pipe
		closeAll = func() {
			for _, f := range append(child[:], parent[:]...) {
				if f != nil {
					f.Close()
				}
			}
		}
	)
	modes := [3]StdioMode{cfg.stdin, cfg.stdout, cfg.stderr}
	inherit := [3]*os.File{os.Stdin, os.Stdout, os.Stderr}
	for i, m := range modes {
		var err error
		switch m {
		case Inherit:
			child[i] = nil
		case DevNull:
			flag := os.O_WRONLY
			if i == 0 {
				flag = os.O_RDONLY
			}
			child[i], err = os.OpenFile(os.DevNull, flag, 0)
		case Pipe:
			var r, w *os.File
			r, w, err = os.Pipe()
			if i == 0 {
				child[i], parent[i] = r, w
			} else {
				child[i], parent[i] = w, r
			}
		case ToStdout:
		default:
			err = fmt.Errorf("asyncio: unknown stdio mode %d", m)
		}
		if err != nil {
			closeAll()
			return nil, err
		}
	}
	files := make([]*os.File, 3)
	for i := range files {
		files[i] = child[i]
		if files[i] == nil {
			files[i] = inherit[i]
		}
	}
	if cfg.stderr == ToStdout {
		files[2] = files[1]
	}
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Dir: cfg.dir, Env: cfg.env, Files: files, Sys: sysProcAttr(cfg)})
	for i, f := range child {
		if f != nil {
			f.Close()
			child[i] = nil
		}
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	p := &Process{loop: l, proc: proc, exited: NewFuture[int](ctx), cfg: cfg}
	if err := p.reap(); err != nil {
		proc.Kill()
		closeAll()
		return nil, err
	}
	if err := p.connectPipes(ctx, parent); err != nil {
		proc.Kill()
		return nil, err
	}
	return p, nil
}

// connectPipes makes the parent's ends of the pipes into streams.
func (p *Process) connectPipes(ctx context.Context, parent [3]*os.File) error {
	var err error
	for i, f := range parent {
		if f == nil {
			continue
		}
		if err != nil {
			f.Close()
			continue
		}
		sp := newStreamProtocol(DefaultStreamLimit, nil)
		if i == 0 {
			_, err = ConnectWritePipe(ctx, f, sp)
			p.Stdin = &sp.writer
		} else {
			_, err = ConnectReadPipe(ctx, f, sp)
			if i == 1 {
				p.Stdout = &sp.reader
			} else {
				p.Stderr = &sp.reader
			}
		}
	}
	return err
}

// PID returns the child's process id.
func (p *Process) PID() int { return p.proc.Pid }

// Wait waits for the child to end and returns its exit code: negative, the
// signal's number, if a signal ended it, as asyncio's returncode is.
// Cancelling the wait leaves the child running, unless WithKillOnCancel
// was given: then the child (or its group) is killed and Wait returns the
// cancellation.
func (p *Process) Wait(ctx context.Context) (int, error) {
	code, err := p.exited.waitIn(ctx, waitProcess)
	if err != nil && p.cfg.killOnCancel && !p.exited.Done() {
		p.Kill()
	}
	return code, err
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

// SendSignal sends sig to the child, unless it has already ended; with
// WithProcessGroup, to its whole process group.
func (p *Process) SendSignal(sig os.Signal) error {
	if p.exited.Done() {
		return nil
	}
	if p.cfg.group {
		return signalGroup(p.proc.Pid, sig)
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
func (p *Process) Communicate(ctx context.Context, input []byte) (stdout, stderr []byte, err error) {
	read := func(r *StreamReader) func(context.Context) ([]byte, error) {
		return func(ctx context.Context) ([]byte, error) {
			if r == nil {
				return nil, nil
			}
			return r.Read(ctx, -1)
		}
	}
	out, err := Gather(ctx,
		func(ctx context.Context) ([]byte, error) {
			if p.Stdin == nil {
				return nil, nil
			}
			if len(input) > 0 {
				p.Stdin.Write(input)
				if err := p.Stdin.Drain(ctx); err != nil && !errors.Is(err, syscall.EPIPE) {
					return nil, err
				}
			}
			p.Stdin.Close()
			return nil, nil
		},
		read(p.Stdout),
		read(p.Stderr),
	)
	if err != nil {
		if p.cfg.killOnCancel && !p.exited.Done() {
			p.Kill()
		}
		return nil, nil, err
	}
	if _, err := p.Wait(ctx); err != nil {
		return out[1], out[2], err
	}
	return out[1], out[2], nil
}

// exitCode turns a wait status into asyncio's returncode.
func exitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return -int(ws.Signal())
	}
	return ws.ExitStatus()
}
