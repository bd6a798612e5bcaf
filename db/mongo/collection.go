package mongo

import (
	"context"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A Database is a handle on one database of a Client's deployment.
type Database struct {
	c *Client
	d *mongodriver.Database
}

// Name returns the database's name.
func (db *Database) Name() string { return db.d.Name() }

// Client returns the client db belongs to.
func (db *Database) Client() *Client { return db.c }

// Collection returns a handle on the collection called name. It does no
// I/O: the collection need not exist until something is written to it.
func (db *Database) Collection(name string) *Collection {
	return &Collection{c: db.c, db: db, d: db.d.Collection(name)}
}

// Drop deletes the database and everything in it.
func (db *Database) Drop(ctx context.Context) error {
	_, err := Do(ctx, db.c, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, db.d.Drop(ctx)
	})
	return err
}

// Driver returns the driver's database under db. Its methods that take a
// ctx block their goroutine: call them inside Do.
func (db *Database) Driver() *mongodriver.Database { return db.d }

// A Collection is a handle on one collection (motor's
// AsyncIOMotorCollection). Its methods, and the generic functions that
// read it (FindOne, Find, Aggregate and their cursors), run the driver's
// calls on the client's executor.
//
// A document to write, and a filter or update, is anything the driver's
// BSON codec encodes: a struct (with bson tags), a bson.M, or a bson.D
// where order matters (a sort on several keys).
type Collection struct {
	c  *Client
	db *Database
	d  *mongodriver.Collection
}

// Name returns the collection's name.
func (coll *Collection) Name() string { return coll.d.Name() }

// Database returns the database coll belongs to.
func (coll *Collection) Database() *Database { return coll.db }

// Driver returns the driver's collection under coll, for what this
// package does not wrap (indexes, bulk writes, change streams). Its
// methods that take a ctx block their goroutine: call them inside Do.
func (coll *Collection) Driver() *mongodriver.Collection { return coll.d }

// InsertOne inserts doc. The result holds its _id, which the driver makes
// (an ObjectID) when doc has none.
func (coll *Collection) InsertOne(ctx context.Context, doc any, opts ...options.Lister[options.InsertOneOptions]) (*mongodriver.InsertOneResult, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (*mongodriver.InsertOneResult, error) {
		return coll.d.InsertOne(ctx, doc, opts...)
	})
}

// InsertMany inserts docs, a slice of documents, in as few round trips as
// the server's message size allows.
func (coll *Collection) InsertMany(ctx context.Context, docs any, opts ...options.Lister[options.InsertManyOptions]) (*mongodriver.InsertManyResult, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (*mongodriver.InsertManyResult, error) {
		return coll.d.InsertMany(ctx, docs, opts...)
	})
}

// UpdateOne applies update (such as bson.M{"$set": bson.M{"age": 37}}) to the first
// document that matches filter.
func (coll *Collection) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongodriver.UpdateResult, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (*mongodriver.UpdateResult, error) {
		return coll.d.UpdateOne(ctx, filter, update, opts...)
	})
}

// UpdateMany applies update to every document that matches filter.
func (coll *Collection) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongodriver.UpdateResult, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (*mongodriver.UpdateResult, error) {
		return coll.d.UpdateMany(ctx, filter, update, opts...)
	})
}

// DeleteOne deletes the first document that matches filter.
func (coll *Collection) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongodriver.DeleteResult, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (*mongodriver.DeleteResult, error) {
		return coll.d.DeleteOne(ctx, filter, opts...)
	})
}

// DeleteMany deletes every document that matches filter.
func (coll *Collection) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongodriver.DeleteResult, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (*mongodriver.DeleteResult, error) {
		return coll.d.DeleteMany(ctx, filter, opts...)
	})
}

// CountDocuments returns the number of documents that match filter
// (bson.M{} for all of them).
func (coll *Collection) CountDocuments(ctx context.Context, filter any, opts ...options.Lister[options.CountOptions]) (int64, error) {
	return Do(ctx, coll.c, func(ctx context.Context) (int64, error) {
		return coll.d.CountDocuments(ctx, filter, opts...)
	})
}

// Drop deletes the collection and its indexes. Dropping a collection that
// does not exist is not an error.
func (coll *Collection) Drop(ctx context.Context) error {
	_, err := Do(ctx, coll.c, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, coll.d.Drop(ctx)
	})
	return err
}
