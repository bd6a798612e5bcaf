package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// TestLoopStaysResponsive runs a long statement beside a task ticking
// every 5 ms on the same loop, on the real clock: the driver works off
// the loop, so no tick is late by much.
func TestLoopStaysResponsive(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		runReal(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			if _, err := p.Exec(ctx, "SELECT 1"); err != nil {
				t.Fatal(err)
			}
			clock := asyncio.RunningLoop(ctx)
			busy := busySQL(t, ctx, p, 300*time.Millisecond)
			stop := asyncio.NewEvent()
			ticker := asyncio.Spawn(ctx, func(ctx context.Context) (time.Duration, error) {
				const period = 5 * time.Millisecond
				var worst time.Duration
				next := clock.Time() + period
				for !stop.IsSet() {
					if err := asyncio.Sleep(ctx, next-clock.Time()); err != nil {
						return worst, err
					}
					worst = max(worst, clock.Time()-next)
					next += period
				}
				return worst, nil
			})
			start := clock.Time()
			_, err := p.Exec(ctx, busy)
			took := clock.Time() - start
			stop.Set()
			worst, werr := ticker.Wait(ctx)
			if err != nil || werr != nil {
				t.Fatal(err, werr)
			}
			t.Logf("statement %v; worst tick lateness %v", took, worst)
			if took < 100*time.Millisecond {
				t.Errorf("the statement took %v: too short to tell", took)
			}
			bound := 10 * time.Millisecond
			if raceEnabled && p.Kind() == "sqlite" {
				// SQLite's work then takes a CPU whole, and the race
				// detector's own goroutines share the other with the
				// loop: the Go scheduler's 10 ms time slice shows.
				bound = 25 * time.Millisecond
			}
			if worst >= bound {
				t.Errorf("a tick was %v late", worst)
			}
			return nil
		})
	})
}
