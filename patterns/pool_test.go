package patterns_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/patterns"
)

// conn is a fake connection; a connDB makes and closes them and takes
// 10ms to connect.
type conn struct {
	id     int
	closed bool
	broken bool
}

func (c *conn) String() string { return fmt.Sprint("conn", c.id) }

type connDB struct {
	made, open int
	failNext   error
	closeErr   error
}

func (db *connDB) connect(ctx context.Context) (*conn, error) {
	if err := asyncio.Sleep(ctx, 10*time.Millisecond); err != nil {
		return nil, err
	}
	if err := db.failNext; err != nil {
		db.failNext = nil
		return nil, err
	}
	db.made++
	db.open++
	return &conn{id: db.made}, nil
}

func (db *connDB) close(c *conn) error {
	if c.closed {
		panic("closed twice")
	}
	c.closed = true
	db.open--
	return db.closeErr
}

// checkStats fails t unless the pool's stats are what want says, and
// resources were neither made nor lost: made − closed = size.
func checkStats(t *testing.T, p *patterns.Pool[*conn], db *connDB, want patterns.PoolStats) {
	t.Helper()
	got := p.Stats()
	if got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	if int(got.Created-got.Closed) != got.Size || db.open != got.Size || int(got.Created) != db.made {
		t.Errorf("stats %+v with %d made and %d open", got, db.made, db.open)
	}
}

func TestPoolReusesResources(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(3))
		if err != nil {
			return err
		}
		for range 3 {
			c, err := p.Acquire(ctx)
			if err != nil {
				return err
			}
			if c.id != 1 {
				t.Errorf("got %v, want conn1 every time", c)
			}
			p.Release(c)
		}
		if now(ctx) != ms(10) {
			t.Errorf("connected for %v, want 10ms: once", now(ctx))
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 1})
		if err := p.Close(ctx); err != nil {
			return err
		}
		checkStats(t, p, db, patterns.PoolStats{Created: 1, Closed: 1})
		return nil
	})
}

func TestPoolMinSizeAndLIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(3), patterns.PoolMaxSize(3))
		if err != nil {
			return err
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 3, Idle: 3, Created: 3})
		a, _ := p.Acquire(ctx)
		b, _ := p.Acquire(ctx)
		if a.id != 3 || b.id != 2 {
			t.Errorf("lent %v and %v, want the last made first", a, b)
		}
		p.Release(a)
		c, _ := p.Acquire(ctx)
		if c != a {
			t.Errorf("lent %v, want %v, the last released", c, a)
		}
		p.Release(b)
		p.Release(c)
		return p.Close(ctx)
	})
}

func TestPoolWaitsFIFOAtMaxSize(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(2))
		if err != nil {
			return err
		}
		var log []string
		var tasks []*asyncio.Task[struct{}]
		for i := range 5 {
			tasks = append(tasks, spawn(ctx, "", func(ctx context.Context) error {
				c, err := p.Acquire(ctx)
				if err != nil {
					return err
				}
				log = append(log, fmt.Sprintf("%d:%v@%v", i, c, now(ctx)))
				defer p.Release(c)
				return asyncio.Sleep(ctx, 100*time.Millisecond)
			}))
			settle(ctx)
		}
		asyncio.Sleep(ctx, 50*time.Millisecond)
		checkStats(t, p, db, patterns.PoolStats{Size: 2, InUse: 2, Waiting: 3, Created: 2})
		for _, tk := range tasks {
			if _, err := tk.Wait(ctx); err != nil {
				return err
			}
		}
		want := []string{"0:conn1@10ms", "1:conn2@10ms", "2:conn1@110ms", "3:conn2@110ms", "4:conn1@210ms"}
		if !slices.Equal(log, want) {
			t.Errorf("log %v, want %v", log, want)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 2, Idle: 2, Created: 2})
		return p.Close(ctx)
	})
}

func TestPoolHealthCheckReplaces(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		checks := 0
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolHealthCheck(func(ctx context.Context, c *conn) error {
			checks++
			if c.broken {
				return errors.New("broken pipe")
			}
			return nil
		}))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx) // made for the occasion: not checked
		if checks != 0 {
			t.Errorf("a new resource was checked")
		}
		c.broken = true
		p.Release(c)
		d, err := p.Acquire(ctx)
		if err != nil {
			return err
		}
		if d.id != 2 || !c.closed || checks != 1 {
			t.Errorf("got %v (conn1 closed %v, %d checks), want conn2 in place of conn1", d, c.closed, checks)
		}
		p.Release(d)
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 2, Closed: 1})
		return p.Close(ctx)
	})
}

func TestPoolFactoryErrorFreesTheSlot(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(1))
		if err != nil {
			return err
		}
		errRefused := errors.New("connection refused")
		db.failNext = errRefused
		if _, err := p.Acquire(ctx); !errors.Is(err, errRefused) {
			t.Errorf("Acquire: %v, want the factory's error", err)
		}
		checkStats(t, p, db, patterns.PoolStats{})
		c, err := p.Acquire(ctx)
		if err != nil {
			return err
		}
		// A waiter gets the slot of a failed attempt and makes its own.
		w := spawn(ctx, "w", func(ctx context.Context) error {
			c, err := p.Acquire(ctx)
			if err == nil {
				p.Release(c)
			}
			return err
		})
		settle(ctx)
		p.Discard(c)
		if _, err := w.Wait(ctx); err != nil {
			t.Errorf("waiter: %v", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 2, Closed: 1})
		return p.Close(ctx)
	})
}

func TestPoolAcquireTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(1), patterns.PoolAcquireTimeout(time.Second))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		start := now(ctx)
		if _, err := p.Acquire(ctx); !errors.Is(err, asyncio.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Acquire: %v, want ErrTimeout", err)
		}
		if now(ctx)-start != time.Second {
			t.Errorf("timed out after %v", now(ctx)-start)
		}
		p.Release(c)
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 1})
		return p.Close(ctx)
	})
}

func TestPoolCancelWhileWaiting(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(1))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		w := spawn(ctx, "w", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		settle(ctx)
		w.Cancel()
		if _, err := w.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("waiter: %v", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, InUse: 1, Created: 1})
		p.Release(c)
		return p.Close(ctx)
	})
}

// A waiter cancelled after a resource was handed to it passes it on.
func TestPoolCancelAfterHandOff(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(1))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		a := spawn(ctx, "a", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		var got *conn
		b := spawn(ctx, "b", func(ctx context.Context) error {
			var err error
			got, err = p.Acquire(ctx)
			return err
		})
		settle(ctx)
		p.Release(c) // hands c to a...
		a.Cancel()   // ...cancelled before it resumes
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a: %v", err)
		}
		if _, err := b.Wait(ctx); err != nil || got != c {
			t.Errorf("b got %v, %v; want %v", got, err, c)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, InUse: 1, Created: 1})
		p.Release(got)
		return p.Close(ctx)
	})
}

// A waiter cancelled after it was handed a slot to make a resource in
// passes the slot on.
func TestPoolCancelAfterSlotHandOff(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(1))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		a := spawn(ctx, "a", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		b := spawn(ctx, "b", func(ctx context.Context) error {
			c, err := p.Acquire(ctx)
			if err == nil {
				p.Release(c)
			}
			return err
		})
		settle(ctx)
		p.Discard(c) // hands a slot to a...
		a.Cancel()   // ...cancelled before it resumes
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a: %v", err)
		}
		if _, err := b.Wait(ctx); err != nil {
			t.Errorf("b: %v", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 2, Closed: 1})
		return p.Close(ctx)
	})
}

// Cancelled while making a resource: the slot is freed.
func TestPoolCancelWhileMaking(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close)
		if err != nil {
			return err
		}
		w := spawn(ctx, "w", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		settle(ctx)
		if st := p.Stats(); st != (patterns.PoolStats{Size: 1}) {
			t.Errorf("while making: %+v", st)
		}
		w.Cancel()
		if _, err := w.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("w: %v", err)
		}
		checkStats(t, p, db, patterns.PoolStats{})
		return p.Close(ctx)
	})
}

func TestPoolClose(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(1), patterns.PoolMaxSize(2))
		if err != nil {
			return err
		}
		a, _ := p.Acquire(ctx)
		b, _ := p.Acquire(ctx)
		p.Release(a) // idle; b stays lent until 1s from now
		spawn(ctx, "holder", func(ctx context.Context) error {
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			p.Release(b)
			return nil
		})
		start := now(ctx)
		closer := spawn(ctx, "closer", func(ctx context.Context) error { return p.Close(ctx) })
		settle(ctx)
		if !a.closed || b.closed {
			t.Errorf("after Close began: a closed %v, b closed %v; want a only", a.closed, b.closed)
		}
		if _, err := p.Acquire(ctx); !errors.Is(err, patterns.ErrPoolClosed) {
			t.Errorf("Acquire after Close: %v", err)
		}
		if _, err := closer.Wait(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if now(ctx)-start != time.Second || !b.closed {
			t.Errorf("Close returned after %v, b closed %v", now(ctx)-start, b.closed)
		}
		checkStats(t, p, db, patterns.PoolStats{Created: 2, Closed: 2})
		return p.Close(ctx) // again: returns at once
	})
}

// Close waits for a resource being made, which is closed once made.
func TestPoolCloseWhileMaking(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close)
		if err != nil {
			return err
		}
		w := spawn(ctx, "w", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		settle(ctx)
		if err := p.Close(ctx); err != nil {
			return err
		}
		if now(ctx) != ms(10) {
			t.Errorf("Close returned at %v, want 10ms, once the resource was made", now(ctx))
		}
		if _, err := w.Wait(ctx); !errors.Is(err, patterns.ErrPoolClosed) {
			t.Errorf("w: %v, want ErrPoolClosed", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Created: 1, Closed: 1})
		return nil
	})
}

func TestPoolCloseWaitersFail(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(1))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		w := spawn(ctx, "w", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		settle(ctx)
		// Close gives up when its ctx ends; the lent resource is closed
		// when it comes back.
		err = asyncio.Timeout(ctx, time.Second, p.Close)
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Close: %v, want ErrTimeout", err)
		}
		if _, err := w.Wait(ctx); !errors.Is(err, patterns.ErrPoolClosed) {
			t.Errorf("waiter: %v, want ErrPoolClosed", err)
		}
		p.Release(c)
		if !c.closed {
			t.Error("released after Close, not closed")
		}
		checkStats(t, p, db, patterns.PoolStats{Created: 1, Closed: 1})
		return p.Close(ctx)
	})
}

func TestPoolCloseErrors(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{closeErr: errors.New("close failed")}
		var reported []error
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(2),
			patterns.PoolOnCloseError(func(err error) { reported = append(reported, err) }))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		p.Discard(c)
		if len(reported) != 1 {
			t.Errorf("reported %v, want the discard's error", reported)
		}
		if err := p.Close(ctx); !errors.Is(err, db.closeErr) {
			t.Errorf("Close: %v, want the close error", err)
		}
		if len(reported) != 1 {
			t.Errorf("Close's errors were reported too: %v", reported)
		}
		return nil
	})
}

func TestPoolMaxIdleTime(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close,
			patterns.PoolMinSize(1), patterns.PoolMaxSize(3), patterns.PoolMaxIdleTime(time.Minute))
		if err != nil {
			return err
		}
		a, _ := p.Acquire(ctx)
		b, _ := p.Acquire(ctx)
		c, _ := p.Acquire(ctx)
		t0 := now(ctx)
		p.Release(c)
		asyncio.Sleep(ctx, 10*time.Second)
		p.Release(b)
		asyncio.Sleep(ctx, 10*time.Second)
		p.Release(a)
		asyncio.Sleep(ctx, time.Minute-20*time.Second-time.Nanosecond)
		if c.closed {
			t.Error("closed before its idle time was up")
		}
		asyncio.Sleep(ctx, time.Nanosecond)
		if !c.closed || b.closed {
			t.Errorf("at %v: c closed %v, b closed %v", now(ctx)-t0, c.closed, b.closed)
		}
		asyncio.Sleep(ctx, 10*time.Second)
		if !b.closed {
			t.Errorf("at %v: b not closed", now(ctx)-t0)
		}
		asyncio.Sleep(ctx, time.Hour)
		if a.closed {
			t.Error("the pool shrank below its minimum size")
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 3, Closed: 2})
		return p.Close(ctx)
	})
}

func TestPoolDo(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close)
		if err != nil {
			return err
		}
		errQuery := errors.New("query failed")
		if err := p.Do(ctx, func(ctx context.Context, c *conn) error { return errQuery }); !errors.Is(err, errQuery) {
			t.Errorf("Do: %v", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 1})
		mustPanic(t, "Do with a panicking fn", func() {
			p.Do(ctx, func(ctx context.Context, c *conn) error { panic("boom") })
		})
		// The resource of a panicking fn is discarded.
		checkStats(t, p, db, patterns.PoolStats{Created: 1, Closed: 1})
		return p.Close(ctx)
	})
}

func TestPoolMisuse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close)
		if err != nil {
			return err
		}
		mustPanic(t, "Release of a stranger", func() { p.Release(&conn{}) })
		mustPanic(t, "Discard of a stranger", func() { p.Discard(&conn{}) })
		c, _ := p.Acquire(ctx)
		p.Release(c)
		mustPanic(t, "double Release", func() { p.Release(c) })
		mustPanic(t, "max 0", func() { patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxSize(0)) })
		mustPanic(t, "min > max", func() {
			patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(3), patterns.PoolMaxSize(2))
		})
		mustPanic(t, "health check of another type", func() {
			patterns.NewPool(ctx, db.connect, db.close, patterns.PoolHealthCheck(func(context.Context, string) error { return nil }))
		})
		mustPanic(t, "no loop", func() { patterns.NewPool(context.Background(), db.connect, db.close) })
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := p.Acquire(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire with a done ctx: %v", err)
		}
		db.failNext = errors.New("down")
		if _, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(2)); !errors.Is(err, db.failNext) && err == nil {
			t.Errorf("NewPool with a failing factory: %v", err)
		}
		if db.open != 1 { // c, idle in p
			t.Errorf("%d open after a failed NewPool, want 1", db.open)
		}
		return p.Close(ctx)
	})
}

func ExamplePool() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		made := 0
		connect := func(ctx context.Context) (*string, error) {
			made++
			name := fmt.Sprintf("conn%d", made)
			return &name, asyncio.Sleep(ctx, 50*time.Millisecond)
		}
		pool, err := patterns.NewPool(ctx, connect, nil, patterns.PoolMaxSize(2))
		if err != nil {
			return struct{}{}, err
		}
		query := func(id int) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				return struct{}{}, pool.Do(ctx, func(ctx context.Context, c *string) error {
					fmt.Printf("query %d on %s at %v\n", id, *c, asyncio.RunningLoop(ctx).Time())
					return asyncio.Sleep(ctx, 100*time.Millisecond)
				})
			}
		}
		if _, err := asyncio.Gather(ctx, query(1), query(2), query(3)); err != nil {
			return struct{}{}, err
		}
		fmt.Printf("%+v\n", pool.Stats())
		return struct{}{}, pool.Close(ctx)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// query 1 on conn1 at 50ms
	// query 2 on conn2 at 50ms
	// query 3 on conn1 at 150ms
	// {Size:2 Idle:2 InUse:0 Waiting:0 Created:2 Closed:0}
}

// A health check cut short by the caller's cancellation does not condemn
// the resource: it goes back to the pool.
func TestPoolHealthCheckCancelled(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(1),
			patterns.PoolHealthCheck(func(ctx context.Context, c *conn) error {
				return asyncio.Sleep(ctx, time.Second) // a slow ping
			}))
		if err != nil {
			return err
		}
		err = asyncio.Timeout(ctx, ms(100), func(ctx context.Context) error {
			_, err := p.Acquire(ctx)
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Acquire: %v, want ErrTimeout", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Size: 1, Idle: 1, Created: 1})
		c, err := p.Acquire(ctx) // a check that passes
		if err != nil || c.id != 1 {
			t.Errorf("Acquire = %v, %v", c, err)
		}
		p.Release(c)
		return p.Close(ctx)
	})
}

// A resource that fails its check after the pool closed is not replaced.
func TestPoolHealthCheckFailsAfterClose(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMinSize(1),
			patterns.PoolHealthCheck(func(ctx context.Context, c *conn) error {
				asyncio.Sleep(ctx, time.Second)
				return errors.New("gone")
			}))
		if err != nil {
			return err
		}
		w := spawn(ctx, "w", func(ctx context.Context) error { _, err := p.Acquire(ctx); return err })
		settle(ctx)
		if err := p.Close(ctx); err != nil {
			return err
		}
		if _, err := w.Wait(ctx); !errors.Is(err, patterns.ErrPoolClosed) {
			t.Errorf("w: %v, want ErrPoolClosed", err)
		}
		checkStats(t, p, db, patterns.PoolStats{Created: 1, Closed: 1})
		return nil
	})
}

// Without PoolOnCloseError, a close error outside Close goes to the loop's
// exception handler; Close cancels the reaper.
func TestPoolCloseErrorToExceptionHandler(t *testing.T) {
	var reported []asyncio.ExceptionContext
	asynciotest.Run(t, func(ctx context.Context) error {
		db := &connDB{closeErr: errors.New("close failed")}
		p, err := patterns.NewPool(ctx, db.connect, db.close, patterns.PoolMaxIdleTime(time.Minute))
		if err != nil {
			return err
		}
		c, _ := p.Acquire(ctx)
		p.Discard(c)
		c, _ = p.Acquire(ctx)
		p.Release(c) // arms the reaper
		settle(ctx)
		if err := p.Close(ctx); !errors.Is(err, db.closeErr) {
			t.Errorf("Close: %v", err)
		}
		if err := p.Do(ctx, func(context.Context, *conn) error { return nil }); !errors.Is(err, patterns.ErrPoolClosed) {
			t.Errorf("Do after Close: %v", err)
		}
		asyncio.Sleep(ctx, time.Hour)
		return nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reported = append(reported, c) }))
	if len(reported) != 1 || reported[0].Err == nil || reported[0].Err.Error() != "close failed" {
		t.Errorf("reported %+v, want the discard's close error", reported)
	}
}
