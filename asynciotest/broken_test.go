package asynciotest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// deafTransport has a bug: PauseReading does nothing.
type deafTransport struct{ asyncio.Transport }

func (deafTransport) PauseReading() {}

// interposer hands the protocol it wraps a deafTransport.
type interposer struct{ p asyncio.Protocol }

func (i interposer) ConnectionMade(t asyncio.Transport) { i.p.ConnectionMade(deafTransport{t}) }
func (i interposer) DataReceived(b []byte)              { i.p.DataReceived(b) }
func (i interposer) EOFReceived() bool                  { return i.p.EOFReceived() }
func (i interposer) ConnectionLost(err error)           { i.p.ConnectionLost(err) }
func (i interposer) PauseWriting()                      { i.p.(asyncio.WriteFlowControl).PauseWriting() }
func (i interposer) ResumeWriting()                     { i.p.(asyncio.WriteFlowControl).ResumeWriting() }

// TestBrokenTransportDemo is the test TestCheckTransportCatchesBug runs in a
// child process: CheckTransport on a transport with a bug.
func TestBrokenTransportDemo(t *testing.T) {
	if os.Getenv("ASYNCIOTEST_BROKEN_DEMO") == "" {
		t.Skip("run by TestCheckTransportCatchesBug")
	}
	asynciotest.CheckTransport(t, func(ctx context.Context, a, b asyncio.Protocol) (func(context.Context) error, error) {
		_, _, err := simnet.Pipe(ctx, interposer{a}, interposer{b})
		return nil, err
	})
}

// CheckTransport fails the subtests that a transport's bug breaks, and
// only those, saying what went wrong.
func TestCheckTransportCatchesBug(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenTransportDemo$", "-test.v")
	cmd.Env = append(os.Environ(), "ASYNCIOTEST_BROKEN_DEMO=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the check of a broken transport should fail; err %v, output:\n%s", err, out)
	}
	for _, want := range []string{
		"--- FAIL: TestBrokenTransportDemo/PauseReading",
		"IsReading after PauseReading",
		"bytes arrived while reading was paused",
		"--- FAIL: TestBrokenTransportDemo/WriteFlowControl",
		"--- PASS: TestBrokenTransportDemo/BothWays",
		"--- PASS: TestBrokenTransportDemo/HalfClose",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}
