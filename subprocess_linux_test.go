package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"golang.org/x/sys/unix"
)

// needProc skips t without a /proc to count descriptors and find
// processes in.
func needProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
}

// openDescriptors counts the descriptors the process has open.
func openDescriptors() int {
	fds, _ := os.ReadDir("/proc/self/fd")
	return len(fds) - 1 // ReadDir's own
}

// thousandChildren runs 1,000 children in a row, each with its standard
// output and error piped and read to the end by Communicate.
func thousandChildren(ctx context.Context) error {
	for i := range 1000 {
		p, err := asyncio.CreateSubprocessExec(ctx, "true", nil, asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.Pipe))
		if err != nil {
			return fmt.Errorf("child %d: %w", i, err)
		}
		if _, _, err := p.Communicate(ctx, nil); err != nil {
			return fmt.Errorf("child %d: %w", i, err)
		}
	}
	return nil
}

// After 1,000 children, each with its pipes read to the end, the process
// holds as many descriptors as before: the pipes closed at their end of
// file, and Communicate returned once they had.
func TestSubprocessNoDescriptorLeak(t *testing.T) {
	needProc(t)
	runIO(t, func(t *testing.T, ctx context.Context) error {
		// A first child makes what the loop keeps for all (its poller).
		p, err := asyncio.CreateSubprocessExec(ctx, "true", nil, asyncio.Stdout(asyncio.Pipe))
		if err != nil {
			return err
		}
		if _, _, err := p.Communicate(ctx, nil); err != nil {
			return err
		}
		before := openDescriptors()
		if err := thousandChildren(ctx); err != nil {
			return err
		}
		// Communicate returns once the child's pipes are closed. (Fewer is
		// fine: what earlier tests left may have closed meanwhile.)
		if after := openDescriptors(); after > before {
			t.Errorf("%d descriptors open after 1,000 children, %d before", after, before)
		}
		return nil
	})
}

// envFDLimitChild marks the run of the test binary that
// TestSubprocessUnderDescriptorLimit starts.
const envFDLimitChild = "ASYNCIO_TEST_FDLIMIT_CHILD"

// 1,000 children in a row work in a process limited to 256 descriptors:
// a copy of the test binary, so the limit does not bind the other tests.
func TestSubprocessUnderDescriptorLimit(t *testing.T) {
	if os.Getenv(envFDLimitChild) != "" {
		lim := unix.Rlimit{Cur: 256, Max: 256}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
		runIO(t, func(t *testing.T, ctx context.Context) error { return thousandChildren(ctx) })
		return
	}
	if testing.Short() {
		t.Skip("2,000 children")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubprocessUnderDescriptorLimit$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), envFDLimitChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("under a limit of 256 descriptors: %v\n%s", err, out)
	}
}

// waitGone waits, for at most within, until process pid has ended
// (exited, possibly not yet reaped by whoever it belongs to): its pidfd
// becomes readable then. It reports whether it ended.
func waitGone(ctx context.Context, pid int, within time.Duration) (bool, error) {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ESRCH {
		return true, nil
	}
	if err != nil {
		return false, os.NewSyscallError("pidfd_open", err)
	}
	defer unix.Close(pidfd)
	return asyncio.ToThread(ctx, func() (bool, error) {
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		for {
			n, err := unix.Poll(fds, int(within.Milliseconds()))
			if err == unix.EINTR {
				continue
			}
			return n == 1, err
		}
	})
}

// A wait that times out kills the child and, unless ProcessGroup(false)
// keeps it in our process group, the grandchild it started; the return
// code is there when the wait returns, and the pid stays.
func TestSubprocessKillOnCancel(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []asyncio.ProcOption
		reachesGC bool // the kill reaches the grandchild
	}{
		{"default", nil, true},
		{"group", []asyncio.ProcOption{asyncio.ProcessGroup(true)}, true},
		{"no group", []asyncio.ProcOption{asyncio.ProcessGroup(false)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runIO(t, func(t *testing.T, ctx context.Context) error {
				opts := append([]asyncio.ProcOption{asyncio.Stdout(asyncio.DevNull), asyncio.WithKillOnCancel()}, tc.opts...)
				// The grandchild's pid goes to stderr, so that stdout's
				// pipe is not held open by the grandchild.
				p, err := asyncio.CreateSubprocessShell(ctx, "sleep 60 & echo $! >&2; wait", append(opts, asyncio.Stderr(asyncio.Pipe))...)
				if err != nil {
					return err
				}
				pid := p.PID()
				line, err := p.Stderr.ReadLine(ctx)
				if err != nil {
					return err
				}
				grandchild, err := strconv.Atoi(strings.TrimSpace(string(line)))
				if err != nil {
					return err
				}
				_, err = asyncio.WaitFor(ctx, 20*time.Millisecond, p.Wait)
				if !errors.Is(err, asyncio.ErrTimeout) {
					t.Errorf("Wait under a timeout: %v", err)
				}
				if code, ok := p.ReturnCode(); code != -9 || !ok {
					t.Errorf("ReturnCode after the timed-out Wait = %d, %v; want -9, true", code, ok)
				}
				if p.PID() != pid {
					t.Errorf("PID after the end %d, want %d", p.PID(), pid)
				}
				if code, err := p.Wait(ctx); code != -9 || err != nil {
					t.Errorf("after the timeout: Wait = %d, %v; want killed", code, err)
				}
				if tc.reachesGC {
					if gone, err := waitGone(ctx, grandchild, 10*time.Second); !gone || err != nil {
						t.Errorf("grandchild %d still alive (%v)", grandchild, err)
					}
					return nil
				}
				if gone, err := waitGone(ctx, grandchild, 0); gone || err != nil {
					t.Errorf("grandchild %d killed, though not in the child's group (%v)", grandchild, err)
				}
				unix.Kill(grandchild, unix.SIGKILL)
				if gone, err := waitGone(ctx, grandchild, 10*time.Second); !gone || err != nil {
					t.Errorf("grandchild %d survived SIGKILL (%v)", grandchild, err)
				}
				return nil
			})
		})
	}
}

// A Communicate cancelled while the child runs returns what it read until
// then with the cancellation; WithKillOnCancel has killed the child by the
// time it returns.
func TestSubprocessCommunicateCancelled(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "ready")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	const size = 1 << 20
	runIO(t, func(t *testing.T, ctx context.Context) error {
		// Opened for writing too, so that it has no end of file until the
		// child writes.
		f, err := os.OpenFile(fifo, os.O_RDWR|unix.O_NONBLOCK, 0)
		if err != nil {
			return err
		}
		sp := asyncio.NewStreamProtocol(0)
		tr, err := asyncio.ConnectReadPipe(ctx, f, sp)
		if err != nil {
			return err
		}
		defer tr.Close()
		// The child writes a megabyte to each output, which Communicate
		// must read for it to get on, then says so through the FIFO.
		script := fmt.Sprintf(`head -c %d /dev/zero; head -c %d /dev/zero >&2; echo ready > %s; exec sleep 60`, size, size, fifo)
		p, err := asyncio.CreateSubprocessShell(ctx, script,
			asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.Pipe), asyncio.WithKillOnCancel())
		if err != nil {
			return err
		}
		type outputs struct{ out, err []byte }
		comm := asyncio.Spawn(ctx, func(ctx context.Context) (outputs, error) {
			out, errOut, err := p.Communicate(ctx, nil)
			return outputs{out, errOut}, err
		})
		if _, err := sp.Reader().ReadLine(ctx); err != nil {
			return err
		}
		comm.Cancel()
		got, err := comm.Wait(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Communicate: %v", err)
		}
		// All but what was still in the pipes (64 KiB each) was read.
		for name, b := range map[string][]byte{"stdout": got.out, "stderr": got.err} {
			if len(b) == 0 || len(b) > size || bytes.Count(b, []byte{0}) != len(b) {
				t.Errorf("%s: %d bytes, want up to %d zeros, some of them read", name, len(b), size)
			}
		}
		if code, ok := p.ReturnCode(); code != -9 || !ok {
			t.Errorf("ReturnCode after the cancelled Communicate = %d, %v; want -9, true", code, ok)
		}
		return nil
	})
}

// Starts cancelled while the child starts, at a few points, leave no
// process and no descriptor behind once the loop has closed.
func TestSubprocessCancelledStart(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip(err)
	}
	// A name of its own (at most 15 bytes, what the system keeps of it),
	// so that its processes can be told from any other.
	const name = "cancelled-start"
	needProc(t)
	prog := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(sleep, prog); err != nil {
		t.Fatal(err)
	}
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			before := openDescriptors()
			started := 0
			asynciotest.Run(t, func(ctx context.Context) error {
				for i := range 30 {
					task := asyncio.Spawn(ctx, func(ctx context.Context) (*asyncio.Process, error) {
						return asyncio.CreateSubprocessExec(ctx, prog, []string{"60"},
							asyncio.Stdin(asyncio.Pipe), asyncio.Stdout(asyncio.Pipe), asyncio.WithKillOnCancel())
					})
					for range i % 4 {
						asyncio.Sleep(ctx, 0)
					}
					task.Cancel()
					p, err := task.Wait(ctx)
					if err == nil {
						started++ // it started before the cancellation came
						p.Kill()
						p.Wait(ctx)
						p.Stdin.Close()
						p.Stdout.Read(ctx, -1)
					} else if !errors.Is(err, context.Canceled) {
						return err
					}
				}
				return nil
			}, asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b))
			t.Logf("%d of 30 starts finished before their cancellation", started)
			// Fewer is fine: what earlier tests left may have closed meanwhile.
			if after := openDescriptors(); after > before {
				t.Errorf("%d descriptors open after the cancelled starts, %d before", after, before)
			}
			if pids := processesNamed(t, name); len(pids) > 0 {
				t.Errorf("processes left of the cancelled starts: %v", pids)
			}
		})
	}
}

// processesNamed returns the pids of the processes, zombies included,
// whose command name is name.
func processesNamed(t *testing.T, name string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(comm)) == name {
			pids = append(pids, pid)
		}
	}
	return pids
}
