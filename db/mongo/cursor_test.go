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
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type item struct {
	N int `bson:"n"`
}

// insertItems inserts items n = 0 .. count-1.
func insertItems(t testing.TB, ctx context.Context, coll *mongo.Collection, count int) {
	t.Helper()
	docs := make([]item, count)
	for i := range docs {
		docs[i].N = i
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
}

// TestCursorReadsEveryBatch reads 10 documents in batches of 3: the
// cursor fetches the three batches after the first with getMore, hands
// every document over in order, and needs no killCursors, the server
// having closed the cursor with the last batch.
func TestCursorReadsEveryBatch(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	asynciotest.Run(t, func(ctx context.Context) error {
		c, db := open(t, ctx, url, rec.option())
		defer c.Close(ctx)
		items := db.Collection("items")
		insertItems(t, ctx, items, 10)

		cur, err := mongo.FindCursor[item](ctx, items, bson.M{}, options.Find().SetBatchSize(3).SetSort(bson.M{"n": 1}))
		if err != nil {
			return err
		}
		want := 0
		for it, err := range cur.Docs(ctx) {
			if err != nil {
				return err
			}
			if it.N != want {
				t.Fatalf("document %d has n = %d", want, it.N)
			}
			want++
		}
		if want != 10 {
			t.Errorf("read %d documents, want 10", want)
		}
		if n := rec.count("getMore"); n != 3 {
			t.Errorf("%d getMores for 10 documents in batches of 3, want 3", n)
		}
		if n := rec.count("killCursors"); n != 0 {
			t.Errorf("%d killCursors after the cursor was read to its end, want 0", n)
		}

		// All reads the rest, across batches, and closes the cursor.
		cur, err = mongo.FindCursor[item](ctx, items, bson.M{"n": bson.M{"$gte": 5}}, options.Find().SetBatchSize(2).SetSort(bson.M{"n": 1}))
		if err != nil {
			return err
		}
		all, err := cur.All(ctx)
		if err != nil || len(all) != 5 || all[0].N != 5 || all[4].N != 9 {
			t.Errorf("All = %v, %v; want n = 5..9", all, err)
		}
		return c.Close(ctx)
	})
}

// TestCursorBreakKillsServerCursor breaks out of a loop over a cursor
// with batches left on the server: the iterator must close the cursor
// there, with a killCursors that the server acknowledges, after which the
// server no longer knows the cursor.
func TestCursorBreakKillsServerCursor(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	asynciotest.Run(t, func(ctx context.Context) error {
		c, db := open(t, ctx, url, rec.option())
		defer c.Close(ctx)
		items := db.Collection("items")
		insertItems(t, ctx, items, 10)

		cur, err := mongo.FindCursor[item](ctx, items, bson.M{}, options.Find().SetBatchSize(2).SetSort(bson.M{"n": 1}))
		if err != nil {
			return err
		}
		id, ok := rec.reply("find", 0).Lookup("cursor", "id").Int64OK()
		if !ok || id == 0 {
			t.Fatalf("the find's reply has cursor id %v, want an open cursor", id)
		}
		read := 0
		for _, err := range cur.Docs(ctx) {
			if err != nil {
				return err
			}
			read++
			if read == 3 { // into the second batch
				break
			}
		}
		if n := rec.count("killCursors"); n != 1 {
			t.Fatalf("%d killCursors after the loop broke, want 1", n)
		}
		killed, err := rec.reply("killCursors", 0).Lookup("cursorsKilled").Array().Values()
		if err != nil || len(killed) != 1 || killed[0].Int64() != id {
			t.Errorf("killCursors killed %v (%v), want cursor %d", killed, err, id)
		}

		// The server has forgotten the cursor: a getMore on it fails
		// with CursorNotFound (43).
		_, err = mongo.Do(ctx, c, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, db.Driver().RunCommand(ctx, bson.D{
				{Key: "getMore", Value: id}, {Key: "collection", Value: "items"},
			}).Err()
		})
		var se mongodriver.ServerError
		if !errors.As(err, &se) || !se.HasErrorCode(43) {
			t.Errorf("getMore on the broken-off cursor: %v, want CursorNotFound", err)
		}
		// Closing it again does nothing.
		if err := cur.Close(ctx); err != nil {
			t.Errorf("second Close: %v", err)
		}
		return c.Close(ctx)
	})
}

// TestCancelledIterationClosesCursor cancels a task while it waits for a
// cursor's next batch. The task ends with the cancellation at once; the
// iterator's close, which the cancelled task cannot wait for, goes to the
// server in the background, and Client.Close waits for it.
func TestCancelledIterationClosesCursor(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	rec := newRecorder()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, db := open(t, ctx, url, rec.option())
		items := db.Collection("items")
		insertItems(t, ctx, items, 10)

		cur, err := mongo.FindCursor[item](ctx, items, bson.M{}, options.Find().SetBatchSize(2))
		if err != nil {
			return struct{}{}, err
		}
		id := rec.reply("find", 0).Lookup("cursor", "id").Int64()
		fetching := asyncio.NewFuture[struct{}](ctx)
		rec.hook(func(e *event.CommandStartedEvent) {
			if e.CommandName == "getMore" {
				fetching.TrySetResult(struct{}{})
			}
		}, nil)
		reader := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			n := 0
			for _, err := range cur.Docs(ctx) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		})
		if _, err := fetching.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		reader.Cancel()
		n, err := reader.Wait(ctx)
		if !errors.Is(err, context.Canceled) || n >= 10 {
			t.Errorf("the cancelled reader read %d documents and returned %v, want fewer than 10 and context.Canceled", n, err)
		}
		if err := c.Close(ctx); err != nil {
			return struct{}{}, err
		}
		if rec.count("killCursors") != 1 {
			t.Fatalf("%d killCursors by the time Close returned, want 1", rec.count("killCursors"))
		}
		if got := rec.command("killCursors", 0).Lookup("cursors").Array().Index(0).Int64(); got != id {
			t.Errorf("killCursors for cursor %d, want %d", got, id)
		}
		if rec.reply("killCursors", 0) == nil {
			t.Errorf("the background killCursors failed: %v", rec.events)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
