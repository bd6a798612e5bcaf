package mongo_test

import (
	"context"
	"fmt"
	"os"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The example needs a server, so it is compiled but not run; the tests
// run the same calls against the server at MONGODB_URL.
func Example() {
	type User struct {
		Name string `bson:"name"`
		Age  int    `bson:"age"`
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		client, err := mongo.Connect(ctx, os.Getenv("MONGODB_URL"), mongo.MaxConns(10))
		if err != nil {
			return struct{}{}, err
		}
		defer client.Close(ctx)
		users := client.Database("app").Collection("users")

		if _, err := users.InsertMany(ctx, []User{{"Ada", 36}, {"Bob", 25}}); err != nil {
			return struct{}{}, err
		}
		ada, err := mongo.FindOne[User](ctx, users, bson.M{"name": "Ada"})
		if err != nil {
			return struct{}{}, err
		}
		fmt.Println("found", ada.Name)

		// A cursor streams the results, a batch at a time; breaking out of
		// the loop closes it on the server.
		cur, err := mongo.FindCursor[User](ctx, users, bson.M{"age": bson.M{"$gte": 18}},
			options.Find().SetSort(bson.M{"age": 1}))
		if err != nil {
			return struct{}{}, err
		}
		for u, err := range cur.Docs(ctx) {
			if err != nil {
				return struct{}{}, err
			}
			fmt.Println(u.Name, u.Age)
		}

		// What the package does not wrap, the driver does: its blocking
		// calls go through Do, onto the client's executor.
		_, err = mongo.Do(ctx, client, func(ctx context.Context) (string, error) {
			return users.Driver().Indexes().CreateOne(ctx, mongodriver.IndexModel{Keys: bson.M{"name": 1}})
		})
		return struct{}{}, err
	})
	if err != nil {
		fmt.Println(err)
	}
}
