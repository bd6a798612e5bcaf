package mongo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// startSlow starts a task that runs slowAggregate and returns it once the
// driver has sent the aggregation.
func startSlow(ctx context.Context, rec *recorder, coll *mongo.Collection) (*asyncio.Task[int64], error) {
	sent := asyncio.NewFuture[struct{}](ctx)
	rec.hook(func(e *event.CommandStartedEvent) {
		if e.CommandName == "aggregate" {
			sent.TrySetResult(struct{}{})
		}
	}, nil)
	task := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
		return slowAggregate(ctx, coll)
	})
	_, err := sent.Wait(ctx)
	rec.hook(nil, nil)
	return task, err
}

// TestCloseWaitsForWork closes the client while an aggregation is under
// way, with a cursor left open: Close returns only once the aggregation
// has finished, with its result, and leaves no goroutine behind, neither
// the executor's nor the driver's.
func TestCloseWaitsForWork(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, db := open(t, ctx, url, rec.option())
		coll := db.Collection("big")
		insertBig(t, ctx, coll)
		if _, err := mongo.FindCursor[bson.M](ctx, coll, bson.M{}, options.Find().SetBatchSize(1)); err != nil {
			return struct{}{}, err
		}
		task, err := startSlow(ctx, rec, coll)
		if err != nil {
			return struct{}{}, err
		}
		if err := c.Close(ctx); err != nil {
			return struct{}{}, err
		}
		if !task.Done() {
			t.Fatal("Close returned before the aggregation under way had finished")
		}
		if sum, err := task.Result(); err != nil || sum != int64(bigArray*(bigArray-1)/2) {
			t.Errorf("the aggregation that Close waited for gave %d, %v", sum, err)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCloseGivesUp closes the client while an aggregation is under way,
// with a ctx that ends long before the aggregation would: Close stops
// waiting then and closes the connection in use, so the aggregation
// fails at once rather than run to its end.
func TestCloseGivesUp(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := asyncio.RunningLoop(ctx)
		c, db := open(t, ctx, url, rec.option())
		coll := db.Collection("big")
		insertBig(t, ctx, coll)
		start := l.Time()
		if _, err := slowAggregate(ctx, coll); err != nil {
			return struct{}{}, err
		}
		full := l.Time() - start

		task, err := startSlow(ctx, rec, coll)
		if err != nil {
			return struct{}{}, err
		}
		start = l.Time()
		err = asyncio.Timeout(ctx, full/10, c.Close)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close with a ctx that ended: %v, want its deadline", err)
		}
		_, err = task.Wait(ctx)
		took := l.Time() - start
		t.Logf("the aggregation takes %v; Close gave up after %v, and the aggregation failed %v after Close began: %v", full, full/10, took, err)
		if err == nil {
			t.Errorf("the aggregation under way succeeded after Close gave up")
		}
		if took > full/2 {
			t.Errorf("the aggregation ended %v after Close began, which gave up after %v: it ran on (all of it takes %v)", took, full/10, full)
		}
		// The rest of the first Close goes on in the background; a
		// second waits for the executor's work to end.
		return struct{}{}, c.Close(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}
