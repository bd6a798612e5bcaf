package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestListenReceivesNotifications: a notification sent after Listen
// returns reaches every listener of its channel, in order, and no other.
func TestListenReceivesNotifications(t *testing.T) {
	url := serverURL(t, "postgres")
	asynciotest.Run(t, func(ctx context.Context) error {
		p, err := db.Open(ctx, url)
		if err != nil {
			return err
		}
		defer p.Close(ctx)
		a, err := p.Listen(ctx, "listen_test_a")
		if err != nil {
			return err
		}
		defer a.Close()
		a2, err := p.Listen(ctx, "listen_test_a")
		if err != nil {
			return err
		}
		b, err := p.Listen(ctx, "listen_test_b")
		if err != nil {
			return err
		}
		defer b.Close()
		for i := range 3 {
			if err := p.Notify(ctx, "listen_test_a", fmt.Sprint("job ", i)); err != nil {
				return err
			}
		}
		if err := p.Notify(ctx, "listen_test_b", "other"); err != nil {
			return err
		}
		for _, l := range []*db.Listener{a, a2} {
			for i := range 3 {
				n, err := l.Next(ctx)
				if err != nil {
					return err
				}
				if n.Channel != "listen_test_a" || n.Payload != fmt.Sprint("job ", i) || n.PID == 0 {
					t.Errorf("notification %d: %+v", i, n)
				}
			}
		}
		n, err := b.Next(ctx)
		if err != nil || n.Payload != "other" {
			t.Errorf("b: %+v, %v", n, err)
		}
		a2.Close()
		if _, err := a2.Next(ctx); !errors.Is(err, db.ErrListenerClosed) {
			t.Errorf("Next after Close: %v, want ErrListenerClosed", err)
		}
		for range a2.All(ctx) {
			t.Errorf("All after Close yielded")
		}
		return nil
	})
}

// TestListenRelistensAfterReconnect: when the server ends the listeners'
// connection, the pool opens another and listens again.
func TestListenRelistensAfterReconnect(t *testing.T) {
	url := serverURL(t, "postgres")
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		p, err := db.Open(ctx, url)
		if err != nil {
			return struct{}{}, err
		}
		defer p.Close(ctx)
		l, err := p.Listen(ctx, "listen_test_reconnect")
		if err != nil {
			return struct{}{}, err
		}
		defer l.Close()
		killed, err := db.QueryRow[int64](ctx, p,
			`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'LISTEN "listen_test_reconnect"'`)
		if err != nil || killed != 1 {
			t.Fatalf("terminating the listener's connection: %d, %v", killed, err)
		}
		// Notifications sent before the listener is back are lost: send
		// until one arrives, each with its own number.
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		for i := 0; ; i++ {
			if err := p.Notify(ctx, "listen_test_reconnect", fmt.Sprint(i)); err != nil {
				return struct{}{}, err
			}
			n, err := asyncio.WaitFor(ctx, 100*time.Millisecond, l.Next)
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				continue
			}
			if err != nil {
				return struct{}{}, err
			}
			if n.Channel != "listen_test_reconnect" {
				t.Errorf("got %+v", n)
			}
			t.Logf("listening again after %d notifications lost", i)
			return struct{}{}, nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestListenNeedsPostgres: the other databases have no LISTEN.
func TestListenNeedsPostgres(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		p, err := db.Open(ctx, "sqlite::memory:")
		if err != nil {
			return err
		}
		defer p.Close(ctx)
		if _, err := p.Listen(ctx, "x"); !errors.Is(err, db.ErrNotSupported) {
			t.Errorf("Listen on SQLite: %v, want ErrNotSupported", err)
		}
		return nil
	})
}
