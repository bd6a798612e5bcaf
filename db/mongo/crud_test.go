package mongo_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type user struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Name  string        `bson:"name"`
	Email string        `bson:"email"`
	Age   int           `bson:"age"`
}

// TestCRUD writes, reads, updates, counts and deletes documents through
// structs, on a loop with a virtual clock: the clock must not jump while
// the executor works, or a wait would end before the server answered.
func TestCRUD(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		c, db := open(t, ctx, url)
		defer c.Close(ctx)
		users := db.Collection("users")

		res, err := users.InsertOne(ctx, user{Name: "ada", Email: "ada@example.com", Age: 36})
		if err != nil {
			return err
		}
		adaID, ok := res.InsertedID.(bson.ObjectID)
		if !ok || adaID.IsZero() {
			t.Fatalf("InsertOne gave _id %#v, want a new ObjectID", res.InsertedID)
		}
		many, err := users.InsertMany(ctx, []user{
			{Name: "bob", Email: "bob@example.com", Age: 25},
			{Name: "cy", Email: "cy@example.com", Age: 41},
			{Name: "di", Email: "di@example.com", Age: 19},
		})
		if err != nil {
			return err
		}
		if len(many.InsertedIDs) != 3 {
			t.Fatalf("InsertMany inserted %d, want 3", len(many.InsertedIDs))
		}

		ada, err := mongo.FindOne[user](ctx, users, bson.M{"name": "ada"})
		if err != nil {
			return err
		}
		if want := (user{ID: adaID, Name: "ada", Email: "ada@example.com", Age: 36}); ada != want {
			t.Errorf("FindOne = %+v, want %+v", ada, want)
		}

		adults, err := mongo.Find[user](ctx, users, bson.M{"age": bson.M{"$gte": 21}},
			options.Find().SetSort(bson.M{"age": 1}))
		if err != nil {
			return err
		}
		if got := names(adults); !slices.Equal(got, []string{"bob", "ada", "cy"}) {
			t.Errorf("Find adults by age = %v, want [bob ada cy]", got)
		}

		up, err := users.UpdateOne(ctx, bson.M{"_id": adaID}, bson.M{"$set": bson.M{"age": 37}})
		if err != nil {
			return err
		}
		if up.MatchedCount != 1 || up.ModifiedCount != 1 {
			t.Errorf("UpdateOne matched %d, modified %d; want 1, 1", up.MatchedCount, up.ModifiedCount)
		}
		up, err = users.UpdateMany(ctx, bson.M{"age": bson.M{"$lt": 30}}, bson.M{"$inc": bson.M{"age": 1}})
		if err != nil {
			return err
		}
		if up.ModifiedCount != 2 {
			t.Errorf("UpdateMany modified %d, want bob and di", up.ModifiedCount)
		}
		if ada, err = mongo.FindOne[user](ctx, users, bson.M{"_id": adaID}); err != nil || ada.Age != 37 {
			t.Errorf("after UpdateOne, ada is %+v, %v; want age 37", ada, err)
		}

		// One accumulator: FerretDB 1.24 computes only the first of a
		// $group's $sums and gives 0 for the others.
		type total struct {
			Age int `bson:"age"`
		}
		sums, err := mongo.Aggregate[total](ctx, users, []bson.M{
			{"$match": bson.M{"age": bson.M{"$gte": 21}}},
			{"$group": bson.M{"_id": nil, "age": bson.M{"$sum": "$age"}}},
		})
		if err != nil {
			return err
		}
		if want := []total{{Age: 37 + 26 + 41}}; !slices.Equal(sums, want) {
			t.Errorf("Aggregate sum of adults' ages = %+v, want %+v", sums, want)
		}

		n, err := users.CountDocuments(ctx, bson.D{})
		if err != nil || n != 4 {
			t.Errorf("CountDocuments = %d, %v; want 4", n, err)
		}
		del, err := users.DeleteOne(ctx, bson.M{"name": "di"})
		if err != nil || del.DeletedCount != 1 {
			t.Errorf("DeleteOne deleted %v, %v; want 1", del, err)
		}
		del, err = users.DeleteMany(ctx, bson.M{"age": bson.M{"$gt": 30}})
		if err != nil || del.DeletedCount != 2 {
			t.Errorf("DeleteMany deleted %v, %v; want ada and cy", del, err)
		}
		left, err := mongo.Find[user](ctx, users, bson.D{})
		if err != nil {
			return err
		}
		if got := names(left); !slices.Equal(got, []string{"bob"}) {
			t.Errorf("left after deletes: %v, want [bob]", got)
		}
		return c.Close(ctx)
	})
}

func names(us []user) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

// TestFindOneNoDocuments checks that a FindOne that matches nothing is
// ErrNoDocuments, under this package's name and the driver's, and that
// Find then returns no documents and no error.
func TestFindOneNoDocuments(t *testing.T) {
	url := serverURL(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		c, db := open(t, ctx, url)
		defer c.Close(ctx)
		users := db.Collection("users")
		_, err := mongo.FindOne[user](ctx, users, bson.M{"name": "nobody"})
		if !errors.Is(err, mongo.ErrNoDocuments) || !errors.Is(err, mongodriver.ErrNoDocuments) {
			t.Errorf("FindOne of nothing: %v, want ErrNoDocuments", err)
		}
		got, err := mongo.Find[user](ctx, users, bson.M{"name": "nobody"})
		if err != nil || len(got) != 0 {
			t.Errorf("Find of nothing = %v, %v; want none and no error", got, err)
		}
		return c.Close(ctx)
	})
}

// TestClosed checks that a closed client refuses work with ErrClosed, and
// that closing it again is harmless.
func TestClosed(t *testing.T) {
	asynciotest.CheckGoroutines(t)
	url := serverURL(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		c, db := open(t, ctx, url)
		if err := c.Close(ctx); err != nil {
			return err
		}
		if _, err := db.Collection("users").InsertOne(ctx, user{Name: "late"}); !errors.Is(err, mongo.ErrClosed) {
			t.Errorf("InsertOne after Close: %v, want ErrClosed", err)
		}
		if err := c.Ping(ctx); !errors.Is(err, mongo.ErrClosed) {
			t.Errorf("Ping after Close: %v, want ErrClosed", err)
		}
		if err := c.Close(ctx); err != nil {
			t.Errorf("second Close: %v", err)
		}
		return nil
	})
}
