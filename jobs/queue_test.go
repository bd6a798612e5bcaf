package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go/jetstream"
)

type order struct {
	ID    int      `json:"id"`
	Items []string `json:"items"`
}

// streamState reads a stream's state from the server, off the loop.
func streamState(ctx context.Context, c *jobs.Client, name string) (jetstream.StreamState, error) {
	return asyncio.ToThread(ctx, func() (jetstream.StreamState, error) {
		s, err := c.JetStream().Stream(context.Background(), name)
		if err != nil {
			return jetstream.StreamState{}, err
		}
		info, err := s.Info(context.Background())
		if err != nil {
			return jetstream.StreamState{}, err
		}
		return info.State, nil
	})
}

func TestRoundTrip(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[order](ctx, c, name)
		if err != nil {
			return err
		}
		want := order{ID: 7, Items: []string{"tea", "scones"}}
		if err := q.Put(ctx, want); err != nil {
			return err
		}
		it, err := q.Get(ctx)
		if err != nil {
			return err
		}
		if fmt.Sprint(it.Value) != fmt.Sprint(want) || it.Attempt() != 1 {
			t.Errorf("got %+v, attempt %d; want %+v, attempt 1", it.Value, it.Attempt(), want)
		}
		if err := it.TaskDone(); err != nil {
			return err
		}
		if err := it.TaskDone(); !errors.Is(err, jobs.ErrSettled) {
			t.Errorf("second TaskDone: %v, want ErrSettled", err)
		}
		if err := q.Join(ctx); err != nil {
			return err
		}
		st, err := streamState(ctx, c, name)
		if err != nil {
			return err
		}
		if st.Msgs != 0 {
			t.Errorf("after Join the stream holds %d messages", st.Msgs)
		}
		return nil
	})
}

// TestManyProducersConsumers puts 800 items from 4 tasks and takes them
// with 3 tasks on each of two Clients: every item is processed once.
func TestManyProducersConsumers(t *testing.T) {
	name := queueName(t)
	const producers, each, consumersPerClient = 4, 200, 3
	run(t, func(ctx context.Context, c1 *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		defer c2.Close(ctx)
		q1, err := jobs.OpenQueue[int](ctx, c1, name)
		if err != nil {
			return err
		}
		q2, err := jobs.OpenQueue[int](ctx, c2, name)
		if err != nil {
			return err
		}
		seen := map[int]int{}
		sum := 0
		return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			var consumers []*asyncio.Task[struct{}]
			for _, q := range []*jobs.Queue[int]{q1, q2} {
				for range consumersPerClient {
					consumers = append(consumers, asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
						for {
							it, err := q.Get(ctx)
							if errors.Is(err, asyncio.ErrQueueShutDown) {
								return struct{}{}, nil
							}
							if err != nil {
								return struct{}{}, err
							}
							seen[it.Value]++
							sum += it.Value
							if err := it.TaskDone(); err != nil {
								return struct{}{}, err
							}
						}
					}))
				}
			}
			var puts []*asyncio.Task[struct{}]
			for p := range producers {
				puts = append(puts, asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
					for i := range each {
						if err := q1.Put(ctx, p*each+i+1); err != nil {
							return struct{}{}, err
						}
					}
					return struct{}{}, nil
				}))
			}
			for _, p := range puts {
				if _, err := p.Wait(ctx); err != nil {
					return err
				}
			}
			if err := q2.Join(ctx); err != nil {
				return err
			}
			q1.Shutdown(ctx, false)
			q2.Shutdown(ctx, false)
			for _, c := range consumers {
				if _, err := c.Wait(ctx); err != nil {
					return err
				}
			}
			n := producers * each
			if len(seen) != n || sum != n*(n+1)/2 {
				t.Errorf("processed %d distinct items, sum %d; want %d, %d", len(seen), sum, n, n*(n+1)/2)
			}
			for v, k := range seen {
				if k != 1 {
					t.Errorf("item %d processed %d times", v, k)
				}
			}
			return nil
		})
	})
}

func TestJoinWaitsForAcks(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[string](ctx, c, name)
		if err != nil {
			return err
		}
		if err := q.Join(ctx); err != nil { // empty: at once
			return err
		}
		for _, s := range []string{"a", "b"} {
			if err := q.Put(ctx, s); err != nil {
				return err
			}
		}
		a, err := q.Get(ctx)
		if err != nil {
			return err
		}
		a.TaskDone()
		// One item is left unacknowledged: Join must not return.
		if err := asyncio.Timeout(ctx, 300*time.Millisecond, q.Join); !errors.Is(err, asyncio.ErrTimeout) {
			t.Fatalf("Join with an item unacknowledged: %v, want a timeout", err)
		}
		b, err := q.Get(ctx)
		if err != nil {
			return err
		}
		b.TaskDone()
		return asyncio.Timeout(ctx, 5*time.Second, q.Join)
	})
}

// TestRedeliveryAfterClose: a Client that closes while it holds an item
// leaves the item to its ack deadline; then another Client gets it.
func TestRedeliveryAfterClose(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c1 *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		q2, err := jobs.OpenQueue[int](ctx, c2, name, jobs.AckWait(time.Second))
		if err != nil {
			return err
		}
		if err := q2.Put(ctx, 42); err != nil {
			return err
		}
		held, err := q2.Get(ctx)
		if err != nil {
			return err
		}
		if err := c2.Close(ctx); err != nil { // dies without TaskDone
			return err
		}
		q1, err := jobs.OpenQueue[int](ctx, c1, name, jobs.AckWait(time.Second))
		if err != nil {
			return err
		}
		start := time.Now()
		it, err := asyncio.WaitFor(ctx, 5*time.Second, q1.Get)
		if err != nil {
			return fmt.Errorf("the held item did not come back: %w", err)
		}
		if it.Value != 42 || it.Attempt() != 2 {
			t.Errorf("got %d, attempt %d; want 42, attempt 2", it.Value, it.Attempt())
		}
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Errorf("redelivered after %v, before the ack deadline", d)
		}
		if err := held.TaskDone(); !errors.Is(err, jobs.ErrClosed) {
			t.Errorf("TaskDone after Close: %v, want ErrClosed", err)
		}
		return it.TaskDone()
	})
}

// TestAckDeadlineExtended: a handler that holds an item for 2.5 ack
// deadlines keeps it; another Client gets nothing meanwhile.
func TestAckDeadlineExtended(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c1 *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		defer c2.Close(ctx)
		q1, err := jobs.OpenQueue[int](ctx, c1, name, jobs.AckWait(time.Second))
		if err != nil {
			return err
		}
		q2, err := jobs.OpenQueue[int](ctx, c2, name, jobs.AckWait(time.Second))
		if err != nil {
			return err
		}
		if err := q1.Put(ctx, 1); err != nil {
			return err
		}
		it, err := q1.Get(ctx)
		if err != nil {
			return err
		}
		other := asyncio.Spawn(ctx, func(ctx context.Context) (*jobs.Item[int], error) {
			return asyncio.WaitFor(ctx, 2500*time.Millisecond, q2.Get)
		})
		if err := asyncio.Sleep(ctx, 2500*time.Millisecond); err != nil {
			return err
		}
		if err := it.TaskDone(); err != nil {
			return err
		}
		if got, err := other.Wait(ctx); !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("while the item was held, another Client got %v, %v", got, err)
		}
		return asyncio.Timeout(ctx, 5*time.Second, q1.Join)
	})
}

// deadLetter returns the last dead letter of queue name.
func deadLetter(ctx context.Context, c *jobs.Client, name string) (jetstream.RawStreamMsg, error) {
	return asyncio.ToThread(ctx, func() (jetstream.RawStreamMsg, error) {
		s, err := c.JetStream().Stream(context.Background(), name+"_dead")
		if err != nil {
			return jetstream.RawStreamMsg{}, err
		}
		m, err := s.GetLastMsgForSubject(context.Background(), "jobs."+name+".dead")
		if err != nil {
			return jetstream.RawStreamMsg{}, err
		}
		return *m, nil
	})
}

func TestDeadLetterAfterRetries(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[string](ctx, c, name, jobs.MaxAttempts(2))
		if err != nil {
			return err
		}
		if err := q.Put(ctx, "poison"); err != nil {
			return err
		}
		for attempt := 1; attempt <= 2; attempt++ {
			it, err := asyncio.WaitFor(ctx, 5*time.Second, q.Get)
			if err != nil {
				return err
			}
			if it.Attempt() != attempt {
				t.Errorf("attempt %d, want %d", it.Attempt(), attempt)
			}
			if err := it.Retry(0, errors.New("boom")); err != nil {
				return err
			}
		}
		if err := asyncio.Timeout(ctx, 5*time.Second, q.Join); err != nil {
			return err
		}
		m, err := deadLetter(ctx, c, name)
		if err != nil {
			return err
		}
		if string(m.Data) != `"poison"` || m.Header.Get("Jobs-Reason") != "boom" || m.Header.Get("Jobs-Attempts") != "2" {
			t.Errorf("dead letter %q, headers %v", m.Data, m.Header)
		}
		return nil
	})
}

// TestDeadLetterUnacknowledged: an item whose holders die MaxAttempts
// times is dead-lettered by the process that gets it next.
func TestDeadLetterUnacknowledged(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c1 *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		opts := []jobs.QueueOption{jobs.MaxAttempts(1), jobs.AckWait(time.Second)}
		q2, err := jobs.OpenQueue[int](ctx, c2, name, opts...)
		if err != nil {
			return err
		}
		if err := q2.Put(ctx, 9); err != nil {
			return err
		}
		if _, err := q2.Get(ctx); err != nil {
			return err
		}
		c2.Close(ctx)
		q1, err := jobs.OpenQueue[int](ctx, c1, name, opts...)
		if err != nil {
			return err
		}
		if it, err := asyncio.WaitFor(ctx, 2500*time.Millisecond, q1.Get); !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Get of a dead item: %v, %v; want a timeout", it, err)
		}
		if err := asyncio.Timeout(ctx, 5*time.Second, q1.Join); err != nil {
			return err
		}
		m, err := deadLetter(ctx, c1, name)
		if err != nil {
			return err
		}
		if string(m.Data) != "9" || !strings.Contains(m.Header.Get("Jobs-Reason"), "without an acknowledgement") {
			t.Errorf("dead letter %q, headers %v", m.Data, m.Header)
		}
		return nil
	})
}

func TestDeadLetterUndecodable(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		raw, err := jobs.OpenQueue[string](ctx, c, name)
		if err != nil {
			return err
		}
		if err := raw.Put(ctx, "not a number"); err != nil {
			return err
		}
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		if err := q.Put(ctx, 5); err != nil {
			return err
		}
		it, err := asyncio.WaitFor(ctx, 5*time.Second, q.Get)
		if err != nil {
			return err
		}
		if it.Value != 5 {
			t.Errorf("got %d, want 5 (the undecodable item skipped)", it.Value)
		}
		it.TaskDone()
		if err := asyncio.Timeout(ctx, 5*time.Second, q.Join); err != nil {
			return err
		}
		m, err := deadLetter(ctx, c, name)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(m.Header.Get("Jobs-Reason"), "decoding") {
			t.Errorf("dead letter headers %v", m.Header)
		}
		return nil
	})
}

func TestDedup(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		for range 2 {
			if err := q.Put(ctx, 1, jobs.MsgID("order-1")); err != nil {
				return err
			}
		}
		if err := q.Put(ctx, 2, jobs.MsgID("order-2")); err != nil {
			return err
		}
		st, err := streamState(ctx, c, name)
		if err != nil {
			return err
		}
		if st.Msgs != 2 {
			t.Errorf("stream holds %d messages, want 2", st.Msgs)
		}
		return nil
	})
}

// TestShutdownHandsBack: Shutdown(immediate) gives back both the items
// fetched ahead and the one a task holds; another Client gets them at
// once, long before the ack deadline.
func TestShutdownHandsBack(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c1 *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		defer c2.Close(ctx)
		q1, err := jobs.OpenQueue[int](ctx, c1, name, jobs.Prefetch(5))
		if err != nil {
			return err
		}
		for i := range 3 {
			if err := q1.Put(ctx, i); err != nil {
				return err
			}
		}
		held, err := q1.Get(ctx)
		if err != nil {
			return err
		}
		// Let the prefetched items arrive.
		for i := 0; i < 100 && q1.Len() < 2; i++ {
			asyncio.Sleep(ctx, 10*time.Millisecond)
		}
		if q1.Len() != 2 {
			t.Errorf("%d items prefetched, want 2", q1.Len())
		}
		q1.Shutdown(ctx, true)
		if err := held.TaskDone(); !errors.Is(err, jobs.ErrHandedBack) {
			t.Errorf("TaskDone after Shutdown(immediate): %v", err)
		}
		if _, err := q1.Get(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("Get after Shutdown: %v", err)
		}
		if err := q1.Put(ctx, 9); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("Put after Shutdown: %v", err)
		}
		q2, err := jobs.OpenQueue[int](ctx, c2, name)
		if err != nil {
			return err
		}
		got := map[int]bool{}
		for range 3 {
			it, err := asyncio.WaitFor(ctx, 5*time.Second, q2.Get)
			if err != nil {
				return fmt.Errorf("after %v: %w", got, err)
			}
			got[it.Value] = true
			it.TaskDone()
		}
		if len(got) != 3 {
			t.Errorf("got %v, want 0, 1, 2", got)
		}
		return nil
	})
}

// TestGetCancelled cancels Gets at random points while items arrive: the
// items they were fetching or were handed come back at once, so the Gets
// that follow take every item, each once, long before the ack deadline.
func TestGetCancelled(t *testing.T) {
	name := queueName(t)
	const n = 60
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		// A Get that gives up before any item exists.
		if _, err := asyncio.WaitFor(ctx, 50*time.Millisecond, q.Get); !errors.Is(err, asyncio.ErrTimeout) {
			t.Fatalf("Get of an empty queue: %v", err)
		}
		// And one whose ctx is done before it starts.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := q.Get(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Get with a done ctx: %v", err)
		}
		seen := map[int]int{}
		take := func(ctx context.Context) error {
			it, err := q.Get(ctx)
			if err != nil {
				return err
			}
			seen[it.Value]++
			return it.TaskDone()
		}
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
				for i := range n {
					if err := q.Put(ctx, i); err != nil {
						return struct{}{}, err
					}
				}
				return struct{}{}, nil
			})
			for range 3 {
				asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
					for range 40 {
						d := time.Duration(rand.IntN(3000)) * time.Microsecond
						err := asyncio.Timeout(ctx, d, take)
						if err != nil && !errors.Is(err, asyncio.ErrTimeout) {
							return struct{}{}, err
						}
					}
					return struct{}{}, nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		// The rest, well within the 30 s ack deadline.
		err = asyncio.Timeout(ctx, 10*time.Second, func(ctx context.Context) error {
			for len(seen) < n {
				if err := take(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("%d of %d items taken: %w", len(seen), n, err)
		}
		for v, k := range seen {
			if k != 1 {
				t.Errorf("item %d taken %d times", v, k)
			}
		}
		return asyncio.Timeout(ctx, 5*time.Second, q.Join)
	})
}

// TestShutdownKeepsHeld: Shutdown(false) leaves the items tasks hold with
// them, as asyncio's shutdown leaves items already taken.
func TestShutdownKeepsHeld(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		if err := q.Put(ctx, 1); err != nil {
			return err
		}
		it, err := q.Get(ctx)
		if err != nil {
			return err
		}
		q.Shutdown(ctx, false)
		if _, err := q.Get(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("Get after Shutdown: %v", err)
		}
		if err := it.TaskDone(); err != nil {
			t.Errorf("TaskDone of a held item after Shutdown(false): %v", err)
		}
		return asyncio.Timeout(ctx, 5*time.Second, q.Join)
	})
}

func TestRetryDelay(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		if err := q.Put(ctx, 3); err != nil {
			return err
		}
		it, err := q.Get(ctx)
		if err != nil {
			return err
		}
		start := time.Now()
		if err := it.Retry(300*time.Millisecond, errors.New("not yet")); err != nil {
			return err
		}
		again, err := asyncio.WaitFor(ctx, 5*time.Second, q.Get)
		if err != nil {
			return err
		}
		if d := time.Since(start); d < 250*time.Millisecond || again.Attempt() != 2 || again.Value != 3 {
			t.Errorf("back after %v as %d, attempt %d; want ≥ 300ms, 3, attempt 2", d, again.Value, again.Attempt())
		}
		return again.TaskDone()
	})
}

// upper is a Codec that stores strings upper-cased, to show it is used.
type upper struct{}

func (upper) Marshal(v any) ([]byte, error) { return []byte(strings.ToUpper(v.(string))), nil }
func (upper) Unmarshal(data []byte, v any) error {
	*v.(*string) = string(data)
	return nil
}

func TestCodec(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[string](ctx, c, name, jobs.WithCodec(upper{}))
		if err != nil {
			return err
		}
		if err := q.Put(ctx, "quiet"); err != nil {
			return err
		}
		it, err := q.Get(ctx)
		if err != nil {
			return err
		}
		if it.Value != "QUIET" {
			t.Errorf("got %q through the codec, want QUIET", it.Value)
		}
		return it.TaskDone()
	})
}

// TestGetCancelledWhenHanded: a Get handed an item and cancelled before
// it resumes passes the item on to the next Get.
func TestGetCancelledWhenHanded(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		first := asyncio.Spawn(ctx, q.Get)
		second := asyncio.Spawn(ctx, q.Get)
		if err := asyncio.Sleep(ctx, 0); err != nil { // both wait
			return err
		}
		jobs.Offer(q, []byte("7")) // to the first
		first.Cancel()             // before it resumes
		if it, err := first.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Get: %v, %v", it, err)
		}
		it, err := asyncio.WaitFor(ctx, 2*time.Second, second.Wait)
		if err != nil {
			return fmt.Errorf("the item was not passed on: %w", err)
		}
		if it.Value != 7 {
			t.Errorf("second Get got %d, want 7", it.Value)
		}
		return nil
	})
}

// TestNumDeliveredFromServer: the delivery count and the time stored read
// from the ack subject of the server's messages are the ones its metadata
// gives.
func TestNumDeliveredFromServer(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		if err := q.Put(ctx, 1); err != nil {
			return err
		}
		_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
			bg := context.Background()
			cons, err := c.JetStream().Consumer(bg, name, "jobs")
			if err != nil {
				return struct{}{}, err
			}
			for want := 1; want <= 2; want++ {
				m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
				if err != nil {
					return struct{}{}, err
				}
				md, err := m.Metadata()
				if err != nil {
					return struct{}{}, err
				}
				n, ok := jobs.NumDelivered(m.Reply())
				if !ok || n != int(md.NumDelivered) || n != want {
					t.Errorf("NumDelivered(%q) = %d, %v; metadata says %d, want %d", m.Reply(), n, ok, md.NumDelivered, want)
				}
				if at, ok := jobs.StoredAt(m.Reply()); !ok || !at.Equal(md.Timestamp) {
					t.Errorf("StoredAt(%q) = %v, %v; metadata says %v", m.Reply(), at, ok, md.Timestamp)
				}
				if err := m.Nak(); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
		return err
	})
}
