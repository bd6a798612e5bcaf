package mongo_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/db/mongo"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// probeTimeout is how long the first test waits for the server at
// MONGODB_URL to answer before it is deemed unreachable.
const probeTimeout = 3 * time.Second

var probe struct {
	once sync.Once
	err  error
}

// serverURL returns MONGODB_URL once a server there has answered a ping.
// Without one, the test is skipped, or fails when CI=true: CI starts a
// server (FerretDB) before the tests.
func serverURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("MONGODB_URL")
	if url == "" {
		unavailable(t, "MONGODB_URL is not set")
	}
	probe.once.Do(func() {
		// A plain goroutine: the driver is called directly, blocking.
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		d, err := mongodriver.Connect(options.Client().ApplyURI(url).SetServerSelectionTimeout(probeTimeout))
		if err != nil {
			probe.err = err
			return
		}
		defer d.Disconnect(ctx)
		probe.err = d.Ping(ctx, nil)
	})
	if probe.err != nil {
		unavailable(t, "no MongoDB server answers at MONGODB_URL="+url+": "+probe.err.Error())
	}
	return url
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run these tests against a MongoDB server (FerretDB will do)", why)
	}
	t.Skipf("%s; set MONGODB_URL to a MongoDB server (FerretDB will do) to run this test", why)
}

// open connects to the server at url (from serverURL, called before the
// loop starts: the probe blocks, and skipping ends the goroutine) and
// returns the client with a database of the test's own, empty. The caller
// closes the client; the database is dropped when the test ends.
func open(t testing.TB, ctx context.Context, url string, opts ...mongo.Option) (*mongo.Client, *mongo.Database) {
	t.Helper()
	c, err := mongo.Connect(ctx, url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	name := "asyncio_" + strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	db := c.Database(name)
	if err := db.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The client is closed by now: drop with a driver of its own.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d, err := mongodriver.Connect(options.Client().ApplyURI(url))
		if err != nil {
			t.Error(err)
			return
		}
		defer d.Disconnect(ctx)
		if err := d.Database(name).Drop(ctx); err != nil {
			t.Errorf("dropping the test's database: %v", err)
		}
	})
	return c, db
}

// A recorder keeps the commands the driver sends and their outcomes, as
// the driver's command monitor reports them from its goroutines.
type recorder struct {
	mu     sync.Mutex
	events []string // "started find", "succeeded find", "failed aggregate: ..."
	// onStart and onFail, if set, are called with each command as it is
	// sent and with each that fails, from the driver's goroutines.
	onStart func(*event.CommandStartedEvent)
	onFail  func(*event.CommandFailedEvent)
	// replies holds the reply to each command that succeeded, by name.
	replies map[string][]bson.Raw
	// commands holds each command sent, by name.
	commands map[string][]bson.Raw
	// failures holds the error of each command that failed, by name.
	failures map[string][]error
}

func newRecorder() *recorder {
	return &recorder{replies: map[string][]bson.Raw{}, commands: map[string][]bson.Raw{}, failures: map[string][]error{}}
}

// option makes the client report its commands to r.
func (r *recorder) option() mongo.Option {
	return mongo.DriverOptions(options.Client().SetMonitor(&event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			r.mu.Lock()
			r.events = append(r.events, "started "+e.CommandName)
			r.commands[e.CommandName] = append(r.commands[e.CommandName], e.Command)
			f := r.onStart
			r.mu.Unlock()
			if f != nil {
				f(e)
			}
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.events = append(r.events, "succeeded "+e.CommandName)
			r.replies[e.CommandName] = append(r.replies[e.CommandName], e.Reply)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			r.mu.Lock()
			r.events = append(r.events, "failed "+e.CommandName+": "+e.Failure.Error())
			r.failures[e.CommandName] = append(r.failures[e.CommandName], e.Failure)
			f := r.onFail
			r.mu.Unlock()
			if f != nil {
				f(e)
			}
		},
	}))
}

// hook sets the functions called as commands start and fail.
func (r *recorder) hook(onStart func(*event.CommandStartedEvent), onFail func(*event.CommandFailedEvent)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onStart, r.onFail = onStart, onFail
}

func (r *recorder) reply(name string, i int) bson.Raw {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i >= len(r.replies[name]) {
		return nil
	}
	return r.replies[name][i]
}

func (r *recorder) command(name string, i int) bson.Raw {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i >= len(r.commands[name]) {
		return nil
	}
	return r.commands[name][i]
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.commands[name])
}
