package mongo

import (
	"context"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FindOne returns the first document of coll that matches filter, decoded
// as a T (motor's find_one). With no match it returns ErrNoDocuments.
func FindOne[T any](ctx context.Context, coll *Collection, filter any, opts ...options.Lister[options.FindOneOptions]) (T, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (T, error) {
		var v T
		err := coll.d.FindOne(ctx, filter, opts...).Decode(&v)
		return v, err
	})
}

// Find returns every document of coll that matches filter, decoded as Ts
// (motor's find(...).to_list(None)); nil if none does. For results too
// many to hold at once, use FindCursor.
func Find[T any](ctx context.Context, coll *Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	return Do(ctx, coll.c, func(ctx context.Context) ([]T, error) {
		cur, err := coll.d.Find(ctx, filter, opts...)
		if err != nil {
			return nil, err
		}
		var out []T
		err = cur.All(ctx, &out) // closes cur
		return out, err
	})
}

// FindCursor runs a find on coll and returns a cursor over its results,
// decoded as Ts as they are read. The first batch comes with the answer;
// the cursor fetches the others as it is read. Set the batch size with
// options.Find().SetBatchSize.
func FindCursor[T any](ctx context.Context, coll *Collection, filter any, opts ...options.Lister[options.FindOptions]) (*Cursor[T], error) {
	return openCursor[T](ctx, coll.c, func(ctx context.Context) (*mongodriver.Cursor, error) {
		return coll.d.Find(ctx, filter, opts...)
	})
}

// Aggregate runs pipeline (a slice of stages, such as
// []bson.M{{"$match": ...}, {"$group": ...}}) on coll and returns its
// results, decoded as Ts.
func Aggregate[T any](ctx context.Context, coll *Collection, pipeline any, opts ...options.Lister[options.AggregateOptions]) ([]T, error) {
	return Do(ctx, coll.c, func(ctx context.Context) ([]T, error) {
		cur, err := coll.d.Aggregate(ctx, pipeline, opts...)
		if err != nil {
			return nil, err
		}
		var out []T
		err = cur.All(ctx, &out) // closes cur
		return out, err
	})
}

// AggregateCursor runs pipeline on coll and returns a cursor over its
// results, as FindCursor does for a find.
func AggregateCursor[T any](ctx context.Context, coll *Collection, pipeline any, opts ...options.Lister[options.AggregateOptions]) (*Cursor[T], error) {
	return openCursor[T](ctx, coll.c, func(ctx context.Context) (*mongodriver.Cursor, error) {
		return coll.d.Aggregate(ctx, pipeline, opts...)
	})
}
