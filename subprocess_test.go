//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/asyncio-go/asyncio"
)

func TestSubprocessExitCodeAndSignal(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p, err := asyncio.CreateSubprocessShell(ctx, "exit 3")
		if err != nil {
			return err
		}
		if code, err := p.Wait(ctx); code != 3 || err != nil {
			t.Errorf("exit 3: Wait = %d, %v", code, err)
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
