package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestFromGoroutines uses a pool from plain goroutines, which block where
// a task would wait, beside a loop's tasks using it too.
func TestFromGoroutines(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		ctx := context.Background()
		p, err := db.Open(ctx, url, db.MaxConns(2))
		if err != nil {
			t.Fatal(err)
		}
		tb := "dbc_goroutines"
		if _, err := p.Exec(ctx, "DROP TABLE IF EXISTS "+tb); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Exec(ctx, "CREATE TABLE "+tb+" (id INTEGER PRIMARY KEY, n BIGINT)"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Exec(ctx, "INSERT INTO "+tb+" VALUES (1, 0)"); err != nil {
			t.Fatal(err)
		}
		inc := dialect(p, "UPDATE "+tb+" SET n = n + $1 WHERE id = 1")
		const goroutines, tasks, each = 6, 6, 10
		var wg sync.WaitGroup
		errs := make(chan error, goroutines+1)
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
						_, err := tx.Exec(ctx, inc, 1)
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
				c, err := p.Acquire(ctx)
				if err != nil {
					errs <- err
					return
				}
				defer c.Release()
				for _, err := range db.Rows[int64](ctx, c, "SELECT n FROM "+tb) {
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
				var fns []func(context.Context) (int64, error)
				for range tasks {
					fns = append(fns, func(ctx context.Context) (int64, error) {
						for range each {
							if _, err := p.Exec(ctx, inc, 1); err != nil {
								return 0, err
							}
						}
						return 0, nil
					})
				}
				_, err := asyncio.Gather(ctx, fns...)
				return struct{}{}, err
			})
			if err != nil {
				errs <- err
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := db.QueryRow[int64](ctx, p, "SELECT n FROM "+tb)
		if want := int64((goroutines + tasks) * each); err != nil || n != want {
			t.Errorf("counter %d, %v; want %d", n, err, want)
		}
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := p.Exec(ctx, "SELECT 1"); !errors.Is(err, db.ErrPoolClosed) {
			t.Errorf("after Close: %v", err)
		}
	})
}

// TestFromTwoLoops shares a pool of one connection between the tasks of
// two loops, so that each waits for a connection the other gives back.
func TestFromTwoLoops(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		p, err := db.Open(context.Background(), url, db.MaxConns(1))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(context.Background())
		const loops, tasks, each = 2, 4, 10
		var wg sync.WaitGroup
		var total sync.Map
		for l := range loops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
					var fns []func(context.Context) (int64, error)
					for range tasks {
						fns = append(fns, func(ctx context.Context) (int64, error) {
							var sum int64
							for i := range each {
								v, err := db.QueryRow[int64](ctx, p, pick(p, "SELECT ?", "SELECT $1::bigint", "SELECT ?"), int64(i))
								if err != nil {
									return 0, err
								}
								sum += v
							}
							return sum, nil
						})
					}
					sums, err := asyncio.Gather(ctx, fns...)
					var all int64
					for _, s := range sums {
						all += s
					}
					total.Store(l, all)
					return struct{}{}, err
				})
				if err != nil {
					t.Errorf("loop %d: %v", l, err)
				}
			}()
		}
		wg.Wait()
		for l := range loops {
			if v, _ := total.Load(l); v != int64(tasks*each*(each-1)/2) {
				t.Errorf("loop %d: sum %v", l, v)
			}
		}
		if s := p.Stats(); s.Waits == 0 {
			t.Errorf("no call waited: %+v", s)
		}
	})
}
