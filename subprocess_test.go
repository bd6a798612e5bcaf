//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

func TestSubprocessExitCodeAndSignal(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p, err := asyncio.CreateSubprocessShell(ctx, "exit 3")
		if err != nil {
			return err
		}
		pid := p.PID()
		if code, err := p.Wait(ctx); code != 3 || err != nil {
			t.Errorf("exit 3: Wait = %d, %v", code, err)
		}
		if p.PID() != pid || pid <= 0 {
			t.Errorf("PID %d once the child has ended, %d before", p.PID(), pid)
		}
		if code, ok := p.ReturnCode(); !ok || code != 3 {
			t.Errorf("ReturnCode = %d, %v", code, ok)
		}
		p, err = asyncio.CreateSubprocessExec(ctx, "sleep", []string{"60"})
		if err != nil {
			return err
		}
		if p.PID() <= 0 {
			t.Errorf("PID %d", p.PID())
		}
		if _, ok := p.ReturnCode(); ok {
			t.Error("a running child has a return code")
		}
		p.Kill()
		if code, err := p.Wait(ctx); code != -9 || err != nil {
			t.Errorf("killed: Wait = %d, %v; want -9 (SIGKILL)", code, err)
		}
		if err := p.Kill(); err != nil {
			t.Errorf("Kill after the end: %v", err)
		}
		return nil
	})
}

// Ten megabytes each way through cat: Communicate feeds and reads at once,
// so neither pipe fills and stalls the child.
func TestSubprocessCommunicate(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p, err := asyncio.CreateSubprocessExec(ctx, "cat", nil, asyncio.Stdin(asyncio.Pipe), asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.Pipe))
		if err != nil {
			return err
		}
		input := bytes.Repeat([]byte("0123456789abcdef"), 10<<16)
		out, errOut, err := p.Communicate(ctx, input)
		if err != nil {
			return err
		}
		if !bytes.Equal(out, input) || len(errOut) != 0 {
			t.Errorf("stdout %d bytes (want %d), stderr %q", len(out), len(input), errOut)
		}
		if code, _ := p.Wait(ctx); code != 0 {
			t.Errorf("exit code %d", code)
		}
		return nil
	})
}

func TestSubprocessStderrToStdoutAndDevNull(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p, err := asyncio.CreateSubprocessShell(ctx, "echo out; echo err >&2; cat",
			asyncio.Stdin(asyncio.DevNull), asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.ToStdout))
		if err != nil {
			return err
		}
		out, errOut, err := p.Communicate(ctx, nil)
		if err != nil {
			return err
		}
		if string(out) != "out\nerr\n" || errOut != nil {
			t.Errorf("stdout %q, stderr %q", out, errOut)
		}
		return nil
	})
}

func TestSubprocessNotFound(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		_, err := asyncio.CreateSubprocessExec(ctx, "no-such-program-here", nil)
		if !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("missing program: %v, want exec.ErrNotFound", err)
		}
		if _, err := asyncio.CreateSubprocessShell(ctx, "true", asyncio.Stdout(asyncio.ToStdout)); err == nil {
			t.Error("ToStdout accepted for Stdout")
		}
		return nil
	})
}

// A hundred megabytes out of a child and a hundred into one, read and
// written in chunks: the pipes' backpressure keeps memory bounded.
func TestSubprocessLargeStreams(t *testing.T) {
	const size = 100 << 20
	runIO(t, func(t *testing.T, ctx context.Context) error {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p, err := asyncio.CreateSubprocessExec(ctx, "head", []string{"-c", strconv.Itoa(size), "/dev/zero"}, asyncio.Stdout(asyncio.Pipe))
		if err != nil {
			return err
		}
		total := 0
		for {
			b, err := p.Stdout.Read(ctx, 64<<10)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			total += len(b)
		}
		if total != size {
			t.Errorf("read %d bytes of stdout, want %d", total, size)
		}
		p.Wait(ctx)

		p, err = asyncio.CreateSubprocessExec(ctx, "wc", []string{"-c"}, asyncio.Stdin(asyncio.Pipe), asyncio.Stdout(asyncio.Pipe))
		if err != nil {
			return err
		}
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < size; sent += len(chunk) {
			p.Stdin.Write(chunk)
			if err := p.Stdin.Drain(ctx); err != nil {
				return err
			}
		}
		p.Stdin.Close()
		out, err := p.Stdout.Read(ctx, -1)
		if err != nil {
			return err
		}
		if strings.TrimSpace(string(out)) != strconv.Itoa(size) {
			t.Errorf("wc counted %q, want %d", out, size)
		}
		runtime.ReadMemStats(&after)
		t.Logf("total allocated %d MiB, heap in use %d -> %d KiB", (after.TotalAlloc-before.TotalAlloc)>>20, before.HeapInuse>>10, after.HeapInuse>>10)
		if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 16<<20 {
			t.Errorf("heap grew by %d MiB moving 200 MiB", grown>>20)
		}
		_, err = p.Wait(ctx)
		return err
	})
}

func TestSubprocessHundredAtOnce(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		var fns []func(context.Context) (int, error)
		for i := range 100 {
			fns = append(fns, func(ctx context.Context) (int, error) {
				p, err := asyncio.CreateSubprocessShell(ctx, "exit "+strconv.Itoa(i%7), asyncio.Stdout(asyncio.DevNull))
				if err != nil {
					return 0, err
				}
				return p.Wait(ctx)
			})
		}
		codes, err := asyncio.Gather(ctx, fns...)
		if err != nil {
			return err
		}
		for i, c := range codes {
			if c != i%7 {
				t.Errorf("child %d exited %d, want %d", i, c, i%7)
			}
		}
		return nil
	})
}

// A child that closes its standard input at once: Communicate's input hits
// a broken pipe, which it ignores, as asyncio's does.
func TestSubprocessClosesPipesEarly(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p, err := asyncio.CreateSubprocessShell(ctx, "exec 0<&- 1>&-; echo done >&2",
			asyncio.Stdin(asyncio.Pipe), asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.Pipe))
		if err != nil {
			return err
		}
		out, errOut, err := p.Communicate(ctx, bytes.Repeat([]byte("x"), 4<<20))
		if err != nil {
			t.Fatalf("Communicate with a child that closed its pipes: %v", err)
		}
		if len(out) != 0 || string(errOut) != "done\n" {
			t.Errorf("stdout %q, stderr %q", out, errOut)
		}
		return nil
	})
}

// Cancelling the task that waits kills a child started WithKillOnCancel;
// without it the child runs on, as in asyncio.
func TestSubprocessCancelledWait(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		for _, kill := range []bool{true, false} {
			opts := []asyncio.ProcOption{}
			if kill {
				opts = append(opts, asyncio.WithKillOnCancel())
			}
			p, err := asyncio.CreateSubprocessExec(ctx, "sleep", []string{"60"}, opts...)
			if err != nil {
				return err
			}
			waiter := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return p.Wait(ctx) })
			asyncio.Sleep(ctx, 0) // the waiter waits
			waiter.Cancel()
			if _, err := waiter.Wait(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled waiter: %v", err)
			}
			if code, ended := p.ReturnCode(); kill && (code != -9 || !ended) {
				t.Errorf("ReturnCode once the waiter is cancelled = %d, %v; want -9, true", code, ended)
			}
			if !kill {
				asyncio.Sleep(ctx, 0)
				if _, ended := p.ReturnCode(); ended {
					t.Error("the child ended with its waiter's cancellation")
				}
				p.Kill()
			}
			if code, err := p.Wait(ctx); code != -9 || err != nil {
				t.Errorf("kill=%v: Wait = %d, %v; want -9", kill, code, err)
			}
		}
		return nil
	})
}

func TestSubprocessEnvDirTerminate(t *testing.T) {
	dir := t.TempDir()
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p, err := asyncio.CreateSubprocessShell(ctx, `echo "$GREETING from $(pwd)"`,
			asyncio.Stdout(asyncio.Pipe), asyncio.Env([]string{"GREETING=hello"}), asyncio.Cwd(dir))
		if err != nil {
			return err
		}
		out, _, err := p.Communicate(ctx, nil)
		if want := "hello from " + dir + "\n"; string(out) != want || err != nil {
			t.Errorf("output %q, %v; want %q", out, err, want)
		}
		p, err = asyncio.CreateSubprocessExec(ctx, "sleep", []string{"60"})
		if err != nil {
			return err
		}
		p.Terminate()
		if code, err := p.Wait(ctx); code != -15 || err != nil {
			t.Errorf("terminated: Wait = %d, %v; want -15 (SIGTERM)", code, err)
		}
		return nil
	})
}

// Fifty children started at once do not stall the loop: their fork and
// exec run off it, so other tasks and callbacks run while they start. The
// worst lateness of a 5 ms ticker is logged, not asserted: it depends on
// the machine.
func TestSubprocessSpawnOffLoop(t *testing.T) {
	const children, period = 50, 5 * time.Millisecond
	runIO(t, func(t *testing.T, ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		var (
			starting     int // calls of CreateSubprocessShell under way
			ranMeanwhile int // callbacks that ran while one was
			done         bool
		)
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (time.Duration, error) {
			var worst time.Duration
			next := time.Now()
			for !done {
				next = next.Add(period)
				if err := asyncio.Sleep(ctx, time.Until(next)); err != nil {
					return worst, err
				}
				worst = max(worst, time.Since(next))
			}
			return worst, nil
		})
		var fns []func(context.Context) (int, error)
		for range children {
			fns = append(fns, func(ctx context.Context) (int, error) {
				l.CallSoon(func() {
					if starting > 0 {
						ranMeanwhile++
					}
				})
				starting++
				p, err := asyncio.CreateSubprocessShell(ctx, "head -c 2000000 /dev/urandom | sha256sum", asyncio.Stdout(asyncio.DevNull))
				starting--
				if err != nil {
					return 0, err
				}
				return p.Wait(ctx)
			})
		}
		codes, err := asyncio.Gather(ctx, fns...)
		done = true
		if err != nil {
			return err
		}
		for i, c := range codes {
			if c != 0 {
				t.Errorf("child %d exited %d", i, c)
			}
		}
		worst, err := ticker.Wait(ctx)
		if err != nil {
			return err
		}
		t.Logf("%d children at once: worst lateness of a %v ticker %v", children, period, worst)
		if ranMeanwhile == 0 {
			t.Errorf("no callback ran while %d children were starting: the loop waited for each", children)
		}
		return nil
	})
}
