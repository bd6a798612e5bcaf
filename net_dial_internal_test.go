package asyncio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeAttempt is how one address behaves in a Happy Eyeballs test: it
// connects or fails after its delay, on the virtual clock.
type fakeAttempt struct {
	after time.Duration
	ok    bool
}

// runHappyEyeballs dials addresses that behave as attempts say, with the
// given head start, on a virtual clock. It returns the index of the
// address that won, the error, and when each attempt started and ended.
func runHappyEyeballs(t *testing.T, delay time.Duration, attempts []fakeAttempt) (won int, err error, started []time.Duration, aborted []int) {
	t.Helper()
	var addrs []net.Addr
	for i := range attempts {
		addrs = append(addrs, &net.TCPAddr{IP: net.IPv4(10, 0, 0, byte(i+1)), Port: 80})
	}
	won = -1
	_, runErr := Run(func(ctx context.Context) (struct{}, error) {
		l := RunningLoop(ctx)
		t0 := l.Time()
		started = make([]time.Duration, len(attempts))
		tr, derr := happyEyeballs(ctx, addrs, delay, func(ctx context.Context, a net.Addr) (transport, error) {
			i := int(a.(*net.TCPAddr).IP.To4()[3]) - 1
			started[i] = l.Time() - t0
			if err := Sleep(ctx, attempts[i].after); err != nil {
				return nil, err
			}
			if !attempts[i].ok {
				return nil, fmt.Errorf("attempt %d refused", i)
			}
			ft := &fakeTransport{index: i, aborted: &aborted}
			return ft, nil
		})
		err = derr
		if tr != nil {
			won = tr.(*fakeTransport).index
		}
		// Let the losers' tasks see their cancellation.
		return struct{}{}, Sleep(ctx, time.Hour)
	}, WithClock(NewVirtualClock()))
	if runErr != nil {
		t.Fatal(runErr)
	}
	return won, err, started, aborted
}

// fakeTransport is a connected socket that is only ever discarded.
type fakeTransport struct {
	transport
	index   int
	aborted *[]int
}

func (f *fakeTransport) SetProtocol(Protocol) {}
func (f *fakeTransport) Abort()               { *f.aborted = append(*f.aborted, f.index) }

func TestHappyEyeballsStaggers(t *testing.T) {
	const d = 250 * time.Millisecond
	// The first address hangs; the second starts after the delay and wins.
	won, err, started, aborted := runHappyEyeballs(t, d, []fakeAttempt{{after: time.Minute, ok: true}, {after: 10 * time.Millisecond, ok: true}, {after: 0, ok: true}})
	if err != nil || won != 1 {
		t.Fatalf("won %d, %v; want address 1", won, err)
	}
	if started[0] != 0 || started[1] != d || started[2] != 0 {
		t.Errorf("attempts started at %v; want 0, %v, never", started, d)
	}
	if len(aborted) != 0 {
		t.Errorf("aborted %v; the hanging attempt is cancelled, not connected", aborted)
	}
}

func TestHappyEyeballsFailureStartsNextAtOnce(t *testing.T) {
	won, err, started, _ := runHappyEyeballs(t, time.Second, []fakeAttempt{{after: 10 * time.Millisecond}, {after: 10 * time.Millisecond, ok: true}})
	if err != nil || won != 1 {
		t.Fatalf("won %d, %v", won, err)
	}
	if started[1] != 10*time.Millisecond {
		t.Errorf("second attempt started at %v, want as the first failed (10ms)", started[1])
	}
}

func TestHappyEyeballsLateWinnerIsAborted(t *testing.T) {
	// Both connect at the same instant: the first to report wins, the
	// other's socket is discarded.
	won, err, _, aborted := runHappyEyeballs(t, 100*time.Millisecond, []fakeAttempt{{after: 200 * time.Millisecond, ok: true}, {after: 100 * time.Millisecond, ok: true}})
	if err != nil || won == -1 {
		t.Fatalf("won %d, %v", won, err)
	}
	if !slices.Equal(aborted, []int{1 - won}) {
		t.Errorf("aborted %v, want the loser %d", aborted, 1-won)
	}
}

func TestHappyEyeballsSequentialAndAllErrors(t *testing.T) {
	won, err, started, _ := runHappyEyeballs(t, -1, []fakeAttempt{{after: time.Second}, {after: time.Second}, {after: time.Second}})
	if won != -1 || err == nil {
		t.Fatalf("won %d, %v; want every attempt to fail", won, err)
	}
	if !slices.Equal(started, []time.Duration{0, time.Second, 2 * time.Second}) {
		t.Errorf("attempts started at %v; want one after another", started)
	}
	for i := range 3 {
		if want := fmt.Sprintf("attempt %d refused", i); !slices.Contains(strings.Split(err.Error(), "\n"), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 3 {
		t.Errorf("error %v does not join the three attempts", err)
	}
}

func TestInterleave(t *testing.T) {
	v4 := func(b byte) net.Addr { return &net.TCPAddr{IP: net.IPv4(10, 0, 0, b)} }
	v6 := func(b byte) net.Addr { return &net.TCPAddr{IP: net.IP{0x20, 1, 0xd, 0xb8, 15: b}} }
	in := []net.Addr{v6(1), v6(2), v6(3), v4(1), v4(2)}
	for _, tc := range []struct {
		n    int
		want []net.Addr
	}{
		{1, []net.Addr{v6(1), v4(1), v6(2), v4(2), v6(3)}},
		{2, []net.Addr{v6(1), v6(2), v4(1), v6(3), v4(2)}},
	} {
		got := interleave(in, tc.n)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("interleave(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
