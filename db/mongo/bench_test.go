package mongo_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The hop to the executor and back is what a call costs here beyond the
// driver's own: BenchmarkFindOne reads one small document by _id from a
// task, BenchmarkFindOneDriver the same with the driver called directly
// from a plain goroutine (which a task must not do).

func BenchmarkFindOne(b *testing.B) {
	url := serverURL(b)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, db := open(b, ctx, url)
		defer c.Close(ctx)
		coll := db.Collection("users")
		if _, err := coll.InsertOne(ctx, bson.M{"_id": 1, "name": "ada"}); err != nil {
			return struct{}{}, err
		}
		for b.Loop() {
			if _, err := mongo.FindOne[bson.M](ctx, coll, bson.M{"_id": 1}); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkFindOneDriver(b *testing.B) {
	url := serverURL(b)
	ctx := context.Background()
	c, db := open(b, ctx, url)
	defer c.Close(ctx)
	coll := db.Collection("users").Driver()
	if _, err := coll.InsertOne(ctx, bson.M{"_id": 1, "name": "ada"}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var doc bson.M
		if err := coll.FindOne(ctx, bson.M{"_id": 1}).Decode(&doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHop is the hop alone: Do with a function that does nothing.
// It needs no server (Connect does no I/O).
func BenchmarkHop(b *testing.B) {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, err := mongo.Connect(ctx, "mongodb://127.0.0.1:1")
		if err != nil {
			return struct{}{}, err
		}
		defer c.Close(ctx)
		for b.Loop() {
			if _, err := mongo.Do(ctx, c, func(context.Context) (int, error) { return 0, nil }); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
