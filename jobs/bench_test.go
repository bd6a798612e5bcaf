package jobs_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The hop: what the loop adds to the NATS client's own round trip. A Put
// is a publish made on the Client's strand and an acknowledgement that
// the client's reply handler hands back through a Future; the peer makes
// the same publish from a goroutine and waits on the PubAckFuture's
// channel.

// BenchmarkHop is the hop alone: a task hands an empty function to a
// one-goroutine ThreadPool, which completes a Future the task waits on.
func BenchmarkHop(b *testing.B) {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		p := asyncio.NewThreadPool(1)
		defer p.Shutdown(context.Background())
		for b.Loop() {
			f := asyncio.NewFuture[struct{}](ctx)
			p.Submit(func() { f.SetResult(struct{}{}) })
			f.Wait(ctx)
		}
		return struct{}{}, nil
	})
}

// BenchmarkPut puts one item at a time from a task.
func BenchmarkPut(b *testing.B) {
	name := queueName(b)
	run(b, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		for b.Loop() {
			if err := q.Put(ctx, 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkPutNATS is the peer of BenchmarkPut: nats.go from a goroutine.
func BenchmarkPutNATS(b *testing.B) {
	name := queueName(b)
	nc, err := nats.Connect(natsURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{
		Name: name, Subjects: []string{"jobs." + name}, Retention: jetstream.WorkQueuePolicy,
	}); err != nil {
		b.Fatal(err)
	}
	data := []byte("1")
	for b.Loop() {
		paf, err := js.PublishAsync("jobs."+name, data)
		if err != nil {
			b.Fatal(err)
		}
		select {
		case <-paf.Ok():
		case err := <-paf.Err():
			b.Fatal(err)
		}
	}
}

// BenchmarkPutGetDone moves items through a queue: 16 tasks put, 16 take
// and acknowledge; b.N items in all.
func BenchmarkPutGetDone(b *testing.B) {
	name := queueName(b)
	run(b, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		n := b.N
		b.ResetTimer()
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			puts, gets := n, n
			for range 16 {
				asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
					for puts > 0 {
						puts-- // counted before the wait: the tasks share it
						if err := q.Put(ctx, puts); err != nil {
							return struct{}{}, err
						}
					}
					return struct{}{}, nil
				})
				asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
					for gets > 0 {
						gets--
						it, err := q.Get(ctx)
						if err != nil {
							return struct{}{}, err
						}
						it.TaskDone()
					}
					return struct{}{}, nil
				})
			}
			return nil
		})
		b.StopTimer()
		return err
	})
}

// BenchmarkWorkerNoop runs b.N no-op jobs through a worker in this
// process: enqueued with EnqueueMany, the worker with the settings of
// asyncio-bench jobs (Concurrency 10, PrefetchJobs 256, KeepResult(0)).
// Its allocs/op, the producer's and the worker's per job, is the figure
// to watch: the collector is a quarter of the job path's CPU.
func BenchmarkWorkerNoop(b *testing.B) {
	name := queueName(b)
	type args struct {
		ID int `json:"id"`
	}
	run(b, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.Concurrency(10), jobs.PrefetchJobs(256), jobs.KeepResult(0))
		ran := 0
		all := asyncio.NewEvent()
		jobs.Register(w, "noop", func(ctx context.Context, a args) (struct{}, error) {
			if ran++; ran == b.N {
				all.Set()
			}
			return struct{}{}, nil
		})
		// A first job, so that the worker is running and the streams
		// exist before the clock starts.
		if _, err := c.Enqueue(ctx, "warm", struct{}{}, jobs.OnQueue(name)); err != nil {
			return err
		}
		warm := asyncio.NewEvent()
		jobs.Register(w, "warm", func(ctx context.Context, _ struct{}) (struct{}, error) {
			warm.Set()
			return struct{}{}, nil
		})
		task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, w.Run(ctx) })
		defer func() {
			task.Cancel()
			task.Wait(context.WithoutCancel(ctx))
		}()
		if err := warm.Wait(ctx); err != nil {
			return err
		}
		in := make([]args, b.N)
		for i := range in {
			in[i] = args{ID: i}
		}
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := jobs.EnqueueMany(ctx, c, "noop", in, jobs.OnQueue(name)); err != nil {
			return err
		}
		err := all.Wait(ctx)
		b.StopTimer()
		return err
	})
}
