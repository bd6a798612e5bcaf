package mongo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// bigArray is the length of the array that slowAggregate unwinds: one
// document of about 1 MB that takes the server most of a second to
// unwind into as many documents and sum (0.7 s for FerretDB 1.24 on
// SQLite, here). FerretDB has neither $where nor $function, with which a
// query sleeps, nor configureFailPoint, with which a command waits.
const bigArray = 100_000

// insertBig inserts the document that slowAggregate reads.
func insertBig(t testing.TB, ctx context.Context, coll *mongo.Collection) {
	t.Helper()
	xs := make([]int, bigArray)
	for i := range xs {
		xs[i] = i
	}
	if _, err := coll.InsertOne(ctx, bson.M{"_id": 1, "xs": xs}); err != nil {
		t.Fatal(err)
	}
}

// slowAggregate sums the big array after unwinding it.
func slowAggregate(ctx context.Context, coll *mongo.Collection) (int64, error) {
	type sum struct {
		Sum int64 `bson:"sum"`
	}
	r, err := mongo.Aggregate[sum](ctx, coll, []bson.M{
		{"$unwind": "$xs"},
		{"$group": bson.M{"_id": nil, "sum": bson.M{"$sum": "$xs"}}},
	})
	if err != nil {
		return 0, err
	}
	if len(r) != 1 {
		return 0, errors.New("the aggregation gave no sum")
	}
	return r[0].Sum, nil
}

// TestCancelSlowAggregate cancels a task while the server works on its
// aggregation. The task must end at once with the cancellation; the
// driver, which was handed the task's ctx, must give up too (closing its
// connection), long before the server would have answered; and the
// client must go on working.
func TestCancelSlowAggregate(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := asyncio.RunningLoop(ctx)
		c, db := open(t, ctx, url, rec.option())
		defer c.Close(ctx)
		coll := db.Collection("big")
		insertBig(t, ctx, coll)

		start := l.Time()
		sum, err := slowAggregate(ctx, coll)
		if err != nil {
			return struct{}{}, err
		}
		full := l.Time() - start
		if want := int64(bigArray * (bigArray - 1) / 2); sum != want {
			t.Fatalf("sum = %d, want %d", sum, want)
		}

		sent := asyncio.NewFuture[struct{}](ctx)
		gaveUp := asyncio.NewFuture[error](ctx)
		rec.hook(func(e *event.CommandStartedEvent) {
			if e.CommandName == "aggregate" {
				sent.TrySetResult(struct{}{})
			}
		}, func(e *event.CommandFailedEvent) {
			if e.CommandName == "aggregate" {
				gaveUp.TrySetResult(e.Failure)
			}
		})
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
			return slowAggregate(ctx, coll)
		})
		if _, err := sent.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		cancelled := l.Time()
		task.Cancel()
		_, err = task.Wait(ctx)
		returned := l.Time() - cancelled
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the cancelled task returned %v, want context.Canceled", err)
		}
		// The driver's failure comes when it has given up, whatever the
		// server does; should it not give up, the timeout says so.
		failure, err := asyncio.WaitFor(ctx, 10*full+time.Second, gaveUp.Wait)
		if err != nil {
			t.Fatalf("the driver did not give up on the aggregation: %v", err)
		}
		driverDone := l.Time() - cancelled
		if !errors.Is(failure, context.Canceled) {
			t.Errorf("the driver's aggregation failed with %v, want context.Canceled", failure)
		}
		t.Logf("the aggregation takes %v; cancelled, the task returned in %v and the driver gave up in %v", full, returned, driverDone)
		if returned > full/4 || driverDone > full/4 {
			t.Errorf("cancelled, the task returned in %v and the driver gave up in %v; the whole aggregation takes %v", returned, driverDone, full)
		}

		// The client still works.
		rec.hook(nil, nil)
		n, err := coll.CountDocuments(ctx, bson.M{})
		if err != nil || n != 1 {
			t.Errorf("after the cancellation, CountDocuments = %d, %v; want 1", n, err)
		}
		if sum, err := slowAggregate(ctx, coll); err != nil || sum != int64(bigArray*(bigArray-1)/2) {
			t.Errorf("after the cancellation, the aggregation gave %d, %v", sum, err)
		}
		return struct{}{}, c.Close(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLoopNotBlocked runs a ticker task beside a slow aggregation: if the
// driver's call blocked the loop, the ticker would stop for as long as
// the aggregation takes. Lateness is measured on the loop's clock.
func TestLoopNotBlocked(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	const tick = 5 * time.Millisecond
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := asyncio.RunningLoop(ctx)
		c, db := open(t, ctx, url)
		defer c.Close(ctx)
		coll := db.Collection("big")
		insertBig(t, ctx, coll)

		var ticks int
		var worst time.Duration
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			for {
				due := l.Time() + tick
				if err := asyncio.Sleep(ctx, tick); err != nil {
					return struct{}{}, nil
				}
				worst = max(worst, l.Time()-due)
				ticks++
			}
		}, asyncio.Name("ticker"))
		start := l.Time()
		if _, err := slowAggregate(ctx, coll); err != nil {
			return struct{}{}, err
		}
		took := l.Time() - start
		ticker.Cancel()
		ticker.Wait(ctx)
		t.Logf("the aggregation took %v; a %v ticker ticked %d times meanwhile, at worst %v late", took, tick, ticks, worst)
		if took < 20*tick {
			t.Fatalf("the aggregation took only %v: too quick to tell a blocked loop from a free one", took)
		}
		// A blocked loop shows as no ticks, or as one tick late by most of
		// the aggregation. A loaded machine makes ticks late too, by tens
		// of milliseconds under the race detector, hence the room.
		if worst > took/2 || ticks < int(took/tick)/10 {
			t.Errorf("the loop was held up while the driver worked: %d ticks of %v in %v, the worst %v late", ticks, tick, took, worst)
		}
		return struct{}{}, c.Close(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTimeoutSendsMaxTimeMS runs a slow FindOne (a filter on the big
// array, which the server matches element by element) under an asyncio
// timeout a quarter of its length. The task ends with the timeout in
// time, and the driver, which reads the deadline off the task's ctx, has
// told the server by the command's maxTimeMS, so that the server too
// gives up then. (The driver sends no maxTimeMS with a Find or an
// Aggregate, whose cursors outlive the command.)
func TestTimeoutSendsMaxTimeMS(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := asyncio.RunningLoop(ctx)
		c, db := open(t, ctx, url, rec.option())
		defer c.Close(ctx)
		coll := db.Collection("big")
		insertBig(t, ctx, coll)
		slowFind := func(ctx context.Context) (bson.M, error) {
			return mongo.FindOne[bson.M](ctx, coll, bson.M{"xs": -1})
		}
		start := l.Time()
		if _, err := slowFind(ctx); !errors.Is(err, mongo.ErrNoDocuments) {
			return struct{}{}, err
		}
		full := l.Time() - start

		limit := full / 4
		start = l.Time()
		_, err := asyncio.WaitFor(ctx, limit, slowFind)
		took := l.Time() - start
		if !errors.Is(err, context.DeadlineExceeded) && !mongodriver.IsTimeout(err) {
			t.Errorf("the FindOne under a timeout of %v: %v, want the timeout", limit, err)
		}
		cmd := rec.command("find", 1)
		maxTime, ok := cmd.Lookup("maxTimeMS").AsInt64OK()
		// The driver rounds the time left up to a whole millisecond.
		if !ok || maxTime <= 0 || time.Duration(maxTime)*time.Millisecond > limit+time.Millisecond {
			t.Errorf("the find was sent with maxTimeMS %v, want at most the timeout, %v", cmd.Lookup("maxTimeMS"), limit)
		}
		t.Logf("the FindOne takes %v; with a timeout of %v it ended after %v, sent with maxTimeMS %d: %v", full, limit, took, maxTime, err)
		if took > full*3/4 {
			t.Errorf("the FindOne with a timeout of %v ended after %v; the whole takes %v", limit, took, full)
		}
		if n, err := coll.CountDocuments(ctx, bson.M{}); err != nil || n != 1 {
			t.Errorf("after the timeout, CountDocuments = %d, %v; want 1", n, err)
		}
		return struct{}{}, c.Close(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}
