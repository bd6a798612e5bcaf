// Package mongo is Python's motor for Go: a MongoDB client for tasks of an
// asyncio loop, a thin layer over the official driver,
// go.mongodb.org/mongo-driver/v2.
//
//	client, err := mongo.Connect(ctx, "mongodb://127.0.0.1:27017")
//	...
//	defer client.Close(ctx)
//	users := client.Database("app").Collection("users")
//	_, err = users.InsertOne(ctx, User{Name: "Ada", Age: 36})
//	ada, err := mongo.FindOne[User](ctx, users, bson.M{"name": "Ada"})
//
// # Off the loop
//
// The driver blocks the goroutine that calls it: it reads and writes its
// connections with Go's blocking net.Conn. So every call that may wait on
// the network runs on an executor that belongs to the Client (a bounded
// asyncio.ThreadPool, sized to the driver's connection pool by default),
// and the task that made it waits for its result without holding the
// loop; other tasks run meanwhile. Work that needs no I/O, such as taking
// the next document of a batch already received and decoding it, runs on
// the loop without a hop.
//
// # Cancellation
//
// The driver is handed the task's ctx, so cancelling the task (or a
// timeout of the task's expiring) reaches the driver too. The task's wait
// ends at once with the cancellation error; on the executor, the driver
// sees the same ctx end and closes the connection the operation was using,
// which makes its read or write fail at once, and does not return the
// connection to the pool. The Client stays usable: the next operation
// takes another connection from the pool, or opens one.
//
// The server learns of it from the closed connection alone: the driver
// sends no killOp. MongoDB (4.2 and later) kills a find, getMore, count,
// distinct or aggregation (without $out) whose client has gone; FerretDB
// 1 runs the command to its end and finds the connection closed when it
// writes the answer (it has no killOp either). A ctx deadline (asyncio.Timeout, WaitFor) does better for the
// commands that return no cursor (FindOne, CountDocuments, the writes):
// the driver sends the time left as the command's maxTimeMS, so the
// server stops the command itself when time is up, and on the timeout the
// driver keeps the connection, reading and dropping the late answer before
// it uses the connection again. It sends no maxTimeMS with a Find or an
// Aggregate, whose cursors outlive the command.
//
// # Typed results
//
// Reads are generic functions, since Go has no generic methods:
// FindOne[T], Find[T] and Aggregate[T] decode into T, any type the
// driver's BSON codec can decode into (a struct with bson tags, bson.M,
// bson.D). FindCursor[T] and AggregateCursor[T] return a Cursor[T] that
// streams the results batch by batch, each batch fetched on the executor;
// ranging over its Docs closes the server's cursor when the loop ends or
// breaks.
//
// Anything else the driver offers (indexes, sessions, transactions, bulk
// writes, change streams) is there through the Driver methods. Those calls
// block: make them inside a function given to Do, which runs it on the
// client's executor as this package's own calls run.
package mongo
