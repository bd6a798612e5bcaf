package mongo

import (
	"context"
	"errors"
	"time"

	"github.com/asyncio-go/asyncio"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A Client is a pool of connections to a MongoDB deployment (motor's
// AsyncIOMotorClient) together with the executor its blocking calls run
// on. It is safe for concurrent use by the tasks of any loop and by plain
// goroutines. Close it when done: until then the driver keeps goroutines
// that watch the servers.
type Client struct {
	driver *mongodriver.Client
	exec   *asyncio.ThreadPool
}

// Connect makes a client of the deployment that uri names
// ("mongodb://host:port/?options", or "mongodb+srv://..."). As the
// driver's Connect, it checks the options but does not wait for a server:
// the first operation does, or Ping. It runs on the new client's executor,
// since a mongodb+srv URI is resolved through DNS.
func Connect(ctx context.Context, uri string, opts ...Option) (*Client, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	driverOpts := append([]*options.ClientOptions{options.Client().ApplyURI(uri)}, cfg.driver...)
	if cfg.maxConns > 0 {
		driverOpts = append(driverOpts, options.Client().SetMaxPoolSize(uint64(cfg.maxConns)))
	}
	workers := cfg.workers
	if workers < 1 {
		workers = poolSize(driverOpts)
	}
	exec := asyncio.NewThreadPool(workers)
	// The driver's calls go deep: a goroutine that stays for the next
	// call keeps the stack the last one grew.
	exec.SetIdleTimeout(executorIdle)
	d, err := asyncio.RunInExecutor(ctx, exec, func() (*mongodriver.Client, error) {
		d, err := mongodriver.Connect(driverOpts...)
		if err == nil && ctx.Err() != nil {
			// The caller has given up waiting and will never close it.
			d.Disconnect(ctx)
			return nil, ctx.Err()
		}
		return d, err
	})
	if err != nil {
		// Shutdown with a done ctx only stops the pool from taking work:
		// a Connect still under way ends on its own, as above.
		done, cancel := context.WithCancel(context.Background())
		cancel()
		exec.Shutdown(done)
		return nil, err
	}
	return &Client{driver: d, exec: exec}, nil
}

// executorIdle is how long a goroutine of a client's executor waits for
// more work before it ends; Close ends them at once.
const executorIdle = time.Minute

// poolSize returns the size of the driver's connection pool that opts
// set, later options overriding earlier ones, or the driver's default.
func poolSize(opts []*options.ClientOptions) int {
	n := uint64(defaultMaxConns)
	for _, o := range opts {
		if o != nil && o.MaxPoolSize != nil {
			n = *o.MaxPoolSize
		}
	}
	if n == 0 || n > 1<<16 { // 0 is the driver's "unbounded"
		return defaultMaxConns
	}
	return int(n)
}

// Do runs fn on c's executor, handing it ctx, and waits for its result:
// the way to call the driver's blocking methods (see the Driver methods)
// from a task without blocking its loop. If ctx ends first, Do returns
// ctx's error at once and fn runs on in the background; fn should pass
// ctx to the driver, which then gives up as well. Do returns ErrClosed
// once c is closing.
func Do[T any](ctx context.Context, c *Client, fn func(context.Context) (T, error)) (T, error) {
	v, err := asyncio.RunInExecutor(ctx, c.exec, func() (T, error) { return fn(ctx) })
	if errors.Is(err, asyncio.ErrExecutorShutDown) {
		err = ErrClosed
	}
	return v, err
}

// Ping checks that a server of the deployment answers, waiting for one to
// be found for up to the driver's server selection timeout (30 s unless
// the URI's serverSelectionTimeoutMS says otherwise) or until ctx ends.
func (c *Client) Ping(ctx context.Context) error {
	_, err := Do(ctx, c, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, c.driver.Ping(ctx, nil)
	})
	return err
}

// Database returns a handle on the database called name. It does no I/O:
// the database need not exist until something is written to it.
func (c *Client) Database(name string) *Database {
	return &Database{c: c, d: c.driver.Database(name)}
}

// Driver returns the driver's client under c. Its methods that take a ctx
// block their goroutine: call them inside Do.
func (c *Client) Driver() *mongodriver.Client { return c.driver }

// Close stops c from taking new operations, waits for those under way (and
// for the cursors being closed in the background) to end, then closes its
// connections and ends the driver's goroutines and its executor's. If ctx
// ends first, Close stops waiting: the connections still in use are
// closed, which makes the operations on them fail at once. It waits on
// the loop's default executor, so the loop goes on meanwhile. Closing a
// closed client waits for what the first Close left running, if anything,
// and returns nil.
func (c *Client) Close(ctx context.Context) error {
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
		waitErr := c.exec.Shutdown(ctx)
		err := c.driver.Disconnect(ctx)
		if errors.Is(err, mongodriver.ErrClientDisconnected) {
			err = nil // closed before
		}
		return struct{}{}, errors.Join(waitErr, err)
	})
	return err
}
