// Mongousers ports the seed tutorial's motor example: it inserts a user
// {name, email, age} into MongoDB, finds it again by its _id, lists the
// users of 25 and over through a cursor, updates Alice's age, averages
// the ages of those users with an aggregation, and counts the users. Each
// step is a call that suspends only the task making it while the
// client's executor waits for the server.
//
// It runs against the server that MONGODB_URL names, in a database of its
// own, mongousers_example, whose users collection it empties first:
//
//	MONGODB_URL=mongodb://127.0.0.1:27017 go run ./examples/mongousers
//
// Without MONGODB_URL it says so and exits. FerretDB, a MongoDB-compatible
// server written in Go, will do for a server (see db/mongo/ci-ferretdb.sh).
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func main() {
	if err := run(os.Stdout, os.Getenv("MONGODB_URL"), "mongousers_example"); err != nil {
		fmt.Fprintln(os.Stderr, "mongousers:", err)
		os.Exit(1)
	}
}

// A User is a document of the users collection.
type User struct {
	ID    bson.ObjectID `bson:"_id,omitempty"`
	Name  string        `bson:"name"`
	Email string        `bson:"email"`
	Age   int           `bson:"age"`
}

// run plays the tutorial against the server at url, in the database
// dbName, and prints what it did to w.
func run(w io.Writer, url, dbName string) error {
	if url == "" {
		fmt.Fprintln(w, "MONGODB_URL is not set: set it to a MongoDB server, such as mongodb://127.0.0.1:27017, to run this example.")
		return nil
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		client, err := mongo.Connect(ctx, url)
		if err != nil {
			return struct{}{}, err
		}
		defer client.Close(ctx)
		users := client.Database(dbName).Collection("users")
		if _, err := users.DeleteMany(ctx, bson.M{}); err != nil {
			return struct{}{}, err
		}

		res, err := users.InsertOne(ctx, User{Name: "Alice", Email: "alice@example.com", Age: 30})
		if err != nil {
			return struct{}{}, err
		}
		id := res.InsertedID.(bson.ObjectID)
		fmt.Fprintf(w, "Inserted ID: %s\n", id.Hex())

		alice, err := mongo.FindOne[User](ctx, users, bson.M{"_id": id})
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Found by _id: %s <%s>, %d\n", alice.Name, alice.Email, alice.Age)

		// The tutorial's "async for document in cursor".
		cur, err := mongo.FindCursor[User](ctx, users, bson.M{"age": bson.M{"$gte": 25}})
		if err != nil {
			return struct{}{}, err
		}
		for u, err := range cur.Docs(ctx) {
			if err != nil {
				return struct{}{}, err
			}
			fmt.Fprintf(w, "User: %s\n", u.Name)
		}

		up, err := users.UpdateOne(ctx, bson.M{"name": "Alice"}, bson.M{"$set": bson.M{"age": 31}})
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Updated Alice's age: %d matched, %d modified\n", up.MatchedCount, up.ModifiedCount)

		// The tutorial averages with $avg. FerretDB 1's $group has only
		// $sum and $count, and fills in only the first accumulator it is
		// given, so here the average is an aggregation's sum of the ages
		// over a count of the users.
		adults := bson.M{"age": bson.M{"$gte": 25}}
		type total struct {
			Age int `bson:"age"`
		}
		totals, err := mongo.Aggregate[total](ctx, users, []bson.M{
			{"$match": adults},
			{"$group": bson.M{"_id": nil, "age": bson.M{"$sum": "$age"}}},
		})
		if err != nil {
			return struct{}{}, err
		}
		n, err := users.CountDocuments(ctx, adults)
		if err != nil {
			return struct{}{}, err
		}
		if len(totals) == 1 && n > 0 {
			fmt.Fprintf(w, "Average age: %g\n", float64(totals[0].Age)/float64(n))
		}

		n, err = users.CountDocuments(ctx, bson.M{})
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Users in the collection: %d\n", n)
		return struct{}{}, client.Close(ctx)
	})
	return err
}
