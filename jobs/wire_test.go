package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// seen is what a job saw of itself through CurrentJob.
type seen struct {
	ID       string    `json:"id"`
	Enqueued time.Time `json:"enqueued"`
	Ran      time.Time `json:"ran"`
	Sum      int       `json:"sum"`
}

// startAdder starts a worker of the queue name whose job "add" adds its
// arguments and says what CurrentJob told it; stop ends the worker.
func startAdder(ctx context.Context, t *testing.T, c *jobs.Client, name string) (stop func()) {
	w := jobs.NewWorker(c, name)
	jobs.Register(w, "add", func(ctx context.Context, a [2]int) (seen, error) {
		ji, ok := jobs.CurrentJob(ctx)
		if !ok {
			return seen{}, fmt.Errorf("no current job")
		}
		return seen{ID: ji.ID, Enqueued: ji.Enqueued, Ran: time.Now(), Sum: a[0] + a[1]}, nil
	})
	return startWorker(ctx, t, w)
}

// publish publishes m with the Client's JetStream, as a producer with
// nothing but a NATS client would, off the loop.
func publish(ctx context.Context, c *jobs.Client, m *nats.Msg) (*jetstream.PubAck, error) {
	return asyncio.ToThread(ctx, func() (*jetstream.PubAck, error) {
		return c.JetStream().PublishMsg(context.Background(), m)
	})
}

// TestJobsFromAnyProducer: a job is its arguments as JSON published on
// "jobs.<queue>.run.<function>", and its id is its sequence number, which
// the publisher learns from the server's acknowledgement; a job published
// on the queue's own subject names its function and its id in headers.
// The time a job was enqueued is the server's.
func TestJobsFromAnyProducer(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		stop := startAdder(ctx, t, c, name)
		defer stop()
		// The worker has made the queue's streams once this Enqueue's
		// job has run.
		first, err := c.Enqueue(ctx, "add", [2]int{1, 1}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if _, err := jobs.ResultOf[seen](ctx, first); err != nil {
			return err
		}

		before := time.Now()
		ack, err := publish(ctx, c, &nats.Msg{Subject: "jobs." + name + ".run.add", Data: []byte("[2, 3]")})
		if err != nil {
			return err
		}
		id := strconv.FormatUint(ack.Sequence, 10)
		r, err := jobs.ResultOf[seen](ctx, c.Job(name, id))
		if err != nil {
			return err
		}
		if r.Sum != 5 || r.ID != id {
			t.Errorf("published on the function's subject: %+v, want sum 5 and id %s", r, id)
		}
		if d := r.Enqueued.Sub(before); d < -time.Second || d > time.Minute {
			t.Errorf("enqueued at %v, %v after the publish began; want the time the server stored it", r.Enqueued, d)
		}

		m := nats.NewMsg("jobs." + name)
		m.Data = []byte("[4, 5]")
		m.Header.Set("Jobs-Func", "add")
		m.Header.Set("Jobs-Id", "ext-1")
		if _, err := publish(ctx, c, m); err != nil {
			return err
		}
		r, err = jobs.ResultOf[seen](ctx, c.Job(name, "ext-1"))
		if err != nil {
			return err
		}
		if r.Sum != 9 || r.ID != "ext-1" {
			t.Errorf("published on the queue's subject with headers: %+v, want sum 9 and id ext-1", r)
		}
		return nil
	})
}

// TestJobIDs: a job's id is its number in the queue unless it was given
// one; a delayed job has an id of its own, and keeps the time it was
// enqueued through its wait.
func TestJobIDs(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		stop := startAdder(ctx, t, c, name)
		defer stop()
		a, err := c.Enqueue(ctx, "add", [2]int{1, 2}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		b, err := c.Enqueue(ctx, "add", [2]int{3, 4}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		na, erra := strconv.ParseUint(a.ID(), 10, 64)
		nb, errb := strconv.ParseUint(b.ID(), 10, 64)
		if erra != nil || errb != nil || nb != na+1 {
			t.Errorf("two jobs in a row have ids %q and %q, want consecutive numbers", a.ID(), b.ID())
		}
		many, err := jobs.EnqueueMany(ctx, c, "add", [][2]int{{1, 1}, {2, 2}, {3, 3}}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		for i, j := range many {
			if n, err := strconv.ParseUint(j.ID(), 10, 64); err != nil || n != nb+1+uint64(i) {
				t.Errorf("job %d of EnqueueMany has id %q, want %d", i, j.ID(), nb+1+uint64(i))
			}
			if r, err := jobs.ResultOf[seen](ctx, j); err != nil || r.ID != j.ID() || r.Sum != 2*(i+1) {
				t.Errorf("job %d of EnqueueMany: %+v, %v", i, r, err)
			}
		}

		const delay = time.Second
		asked := time.Now()
		later, err := c.Enqueue(ctx, "add", [2]int{5, 6}, jobs.OnQueue(name), jobs.Delay(delay))
		if err != nil {
			return err
		}
		if _, err := strconv.ParseUint(later.ID(), 10, 64); err == nil {
			t.Errorf("a delayed job has the id %q, a number the queue may give another job", later.ID())
		}
		r, err := jobs.ResultOf[seen](ctx, later)
		if err != nil {
			return err
		}
		if r.ID != later.ID() || r.Sum != 11 {
			t.Errorf("the delayed job saw %+v, want id %s", r, later.ID())
		}
		if r.Ran.Sub(r.Enqueued) < delay || r.Enqueued.Sub(asked) > time.Second {
			t.Errorf("the delayed job was enqueued at %v and ran at %v, asked at %v: want the time it was asked for",
				r.Enqueued, r.Ran, asked)
		}
		return nil
	})
}

// TestJobNames: names that cannot end a subject, and ids of digits only,
// which are the queue's, are refused.
func TestJobNames(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		for _, bad := range []string{"", "a b", "a.", ".a", "a..b", "a.*", "a.>", "send email"} {
			if _, err := c.Enqueue(ctx, bad, 1, jobs.OnQueue(name)); err == nil || !strings.Contains(err.Error(), "job function name") {
				t.Errorf("Enqueue of function %q: %v, want refused", bad, err)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Register of function %q did not panic", bad)
					}
				}()
				jobs.Register(jobs.NewWorker(c, name), bad, func(context.Context, int) (int, error) { return 0, nil })
			}()
		}
		for _, good := range []string{"add", "tasks.add", "send-email_v2"} {
			jobs.Register(jobs.NewWorker(c, name), good, func(context.Context, int) (int, error) { return 0, nil })
		}
		if _, err := c.Enqueue(ctx, "add", 1, jobs.OnQueue(name), jobs.JobID("123")); err == nil || !strings.Contains(err.Error(), "digits only") {
			t.Errorf("JobID of digits only: %v, want refused", err)
		}
		return nil
	})
}

// TestEnqueueOnAnOlderStream: a queue's stream made with the queue's own
// subject only, as it was before jobs came on their functions' subjects,
// takes those subjects from the first producer, and leaves its other
// settings as they were.
func TestEnqueueOnAnOlderStream(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
			_, err := c.JetStream().CreateStream(context.Background(), jetstream.StreamConfig{
				Name: name, Subjects: []string{"jobs." + name}, Retention: jetstream.WorkQueuePolicy,
				Storage: jetstream.MemoryStorage, Duplicates: time.Minute,
			})
			return struct{}{}, err
		})
		if err != nil {
			return err
		}
		if _, err := c.Enqueue(ctx, "add", [2]int{1, 2}, jobs.OnQueue(name)); err != nil {
			return err
		}
		info, err := asyncio.ToThread(ctx, func() (*jetstream.StreamInfo, error) {
			s, err := c.JetStream().Stream(context.Background(), name)
			if err != nil {
				return nil, err
			}
			return s.Info(context.Background())
		})
		if err != nil {
			return err
		}
		if got := info.Config.Subjects; len(got) != 2 || got[1] != "jobs."+name+".run.>" {
			t.Errorf("the stream's subjects are %q", got)
		}
		if info.Config.Storage != jetstream.MemoryStorage || info.Config.Duplicates != time.Minute {
			t.Errorf("the producer changed the stream's other settings: %+v", info.Config)
		}
		if info.State.Msgs != 1 {
			t.Errorf("the stream holds %d messages, want the job", info.State.Msgs)
		}
		return nil
	})
}

// TestNewStreamForgetsOldResults: a queue's stream deleted without its
// results and made again numbers its jobs from 1 again; the results of
// the jobs of the one before are purged, not taken for the new jobs'.
func TestNewStreamForgetsOldResults(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		stop := startAdder(ctx, t, c, name)
		j, err := c.Enqueue(ctx, "add", [2]int{1, 2}, jobs.OnQueue(name))
		if err != nil {
			stop()
			return err
		}
		_, err = jobs.ResultOf[seen](ctx, j)
		stop()
		if err != nil {
			return err
		}
		bg := context.Background()
		_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
			return struct{}{}, c.JetStream().DeleteStream(bg, name)
		})
		if err != nil {
			return err
		}
		// Another Client, which has not seen the queue's streams.
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		defer c2.Close(ctx)
		again, err := c2.Enqueue(ctx, "add", [2]int{5, 5}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if again.ID() != j.ID() {
			t.Fatalf("the new stream's first job is %s, the old one's was %s: the test needs them equal", again.ID(), j.ID())
		}
		_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
			kv, err := c2.JetStream().KeyValue(bg, name+"_results")
			if err != nil {
				return struct{}{}, err
			}
			if e, err := kv.Get(bg, j.ID()); !errors.Is(err, jetstream.ErrKeyNotFound) {
				t.Errorf("the old job's result is still kept under %s: %v, %v", j.ID(), e, err)
			}
			return struct{}{}, nil
		})
		return err
	})
}
