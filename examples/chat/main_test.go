//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestOutput(t *testing.T) {
	var out strings.Builder
	if err := run(&out, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	want := `Serving on 127.0.0.1 (a free port)
alice joins
    alice hears: * welcome alice; nobody else is here
bob joins
    bob hears: * welcome bob; here: alice
    alice hears: * bob joined
alice says: hi bob
    bob hears: [alice] hi bob
carol joins
    carol hears: * welcome carol; here: alice, bob
    alice hears: * carol joined
    bob hears: * carol joined
bob says: hello both
    alice hears: [bob] hello both
    carol hears: [bob] hello both
carol's connection drops
    alice hears: * carol left
    bob hears: * carol left
alice says: bye
    bob hears: [alice] bye
alice leaves
    bob hears: * alice left
bob leaves
Server closed
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// A client that stops reading is dropped once the server holds more for
// it than the high-water mark, and the room goes on without it.
func TestSlowClientDropped(t *testing.T) {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		server, err := asyncio.StartServer(ctx, "127.0.0.1:0", new(room).serve)
		if err != nil {
			return struct{}{}, err
		}
		defer server.Close()
		s := &script{ctx: ctx, out: io.Discard, addr: server.Addrs()[0].String()}
		erin := s.join("erin") // and reads no more
		alice := s.join("alice")
		bob := s.join("bob")
		s.hear(alice)
		if s.err != nil {
			return struct{}{}, s.err
		}
		const dropped = "* erin was dropped: not reading fast enough\n"
		paste := strings.Repeat("x", 1000)
		seen := asyncio.NewEvent()
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error { // alice pastes until erin is dropped
				sent := 0
				for ; !seen.IsSet(); sent += len(paste) {
					if sent > 256<<20 {
						return errors.New("erin not dropped after 256 MiB")
					}
					if err := alice.w.Write([]byte(paste + "\n")); err != nil {
						return err
					}
					// Give up the loop, so that the server and bob run.
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
				t.Logf("erin dropped after %d KiB", sent>>10)
				return alice.w.Write([]byte("done\n"))
			})
			g.Go(func(ctx context.Context) error { // bob hears it all
				for {
					line, err := bob.r.ReadLine(ctx)
					switch {
					case err != nil:
						return err
					case string(line) == dropped && !seen.IsSet():
						seen.Set()
					case string(line) == "[alice] done\n":
						return nil
					case string(line) != "[alice] "+paste+"\n":
						return fmt.Errorf("bob heard %.40q", line)
					}
				}
			})
			return nil
		})
		if err != nil {
			return struct{}{}, err
		}
		s.leave(alice)
		s.hear(bob)
		s.leave(bob)
		erin.w.Close()
		return struct{}{}, s.err
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
}
