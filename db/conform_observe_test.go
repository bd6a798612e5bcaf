package db_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// doing returns what a snapshot says task is doing.
func doing(t *testing.T, ctx context.Context, task asyncio.AnyTask) string {
	snap, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range snap.Tasks {
		if ti.ID == task.ID() {
			return ti.Doing
		}
	}
	return ""
}

// TestSnapshotDoing checks that a snapshot shows the statement a task
// waits for, and a task waiting for a connection as such.
func TestSnapshotDoing(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(1))
			defer done()
			sql := longQuery(p, "dbc-doing")
			running := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
				return p.Exec(ctx, sql)
			})
			until(t, ctx, "the statement shows", func() bool { return doing(t, ctx, running) == "db: "+sql })
			waiting := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
				return p.Exec(ctx, "SELECT 1")
			})
			until(t, ctx, "the wait shows", func() bool { return doing(t, ctx, waiting) == "db: waiting for a connection" })
			running.Cancel()
			waiting.Cancel()
			for _, task := range []*asyncio.Task[int64]{running, waiting} {
				if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("cancelled: %v", err)
				}
			}
			wantIdle(t, settleStats(ctx, p))
			return nil
		})
	})
}

// TestSlowQuery checks that SlowQuery logs a statement that took longer
// than its threshold, with its text, and counts it, and leaves a fast one.
func TestSlowQuery(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			var buf bytes.Buffer
			p, done := openPool(t, ctx, url, db.SlowQuery(100*time.Millisecond, slog.New(slog.NewTextHandler(&buf, nil))))
			defer done()
			if _, err := p.Exec(ctx, "SELECT 1"); err != nil {
				t.Fatal(err)
			}
			slow := busySQL(t, ctx, p, 400*time.Millisecond)
			buf.Reset()
			before := p.Stats().Slow
			if _, err := p.Exec(ctx, slow); err != nil {
				t.Fatal(err)
			}
			if _, err := db.QueryRow[int64](ctx, p, "SELECT 2"); err != nil {
				t.Fatal(err)
			}
			log := buf.String()
			if got := p.Stats().Slow - before; got != 1 {
				t.Errorf("Stats().Slow counted %d, want 1", got)
			}
			if strings.Count(log, "db: slow query") != 1 || !strings.Contains(log, "level=WARN") ||
				!strings.Contains(log, slow) || !strings.Contains(log, "duration=") || strings.Contains(log, "SELECT 2") {
				t.Errorf("log:\n%s", log)
			}
			t.Logf("%s", log)
			return nil
		})
	})
}
