package asyncio_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"golang.org/x/sys/unix"
)

// openDescriptors counts the descriptors the process has open.
func openDescriptors(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
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
// file.
func TestSubprocessNoDescriptorLeak(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		// A first child makes what the loop keeps for all (its poller).
		p, err := asyncio.CreateSubprocessExec(ctx, "true", nil, asyncio.Stdout(asyncio.Pipe))
		if err != nil {
			return err
		}
		if _, _, err := p.Communicate(ctx, nil); err != nil {
			return err
		}
		asyncio.Sleep(ctx, 0)
		before := openDescriptors(t)
		if err := thousandChildren(ctx); err != nil {
			return err
		}
		// The transports' closes run as callbacks after their end of file.
		asyncio.Sleep(ctx, 0)
		if after := openDescriptors(t); after != before {
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
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubprocessUnderDescriptorLimit$", "-test.count=1", "-test.timeout="+strconv.Itoa(int((5*time.Minute).Seconds()))+"s")
	cmd.Env = append(os.Environ(), envFDLimitChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("under a limit of 256 descriptors: %v\n%s", err, out)
	}
}
