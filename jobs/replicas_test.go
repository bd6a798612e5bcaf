package jobs_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go"
)

// replicasOf returns the Replicas setting of each named stream.
func replicasOf(ctx context.Context, c *jobs.Client, streams ...string) ([]int, error) {
	return asyncio.ToThread(ctx, func() ([]int, error) {
		var rs []int
		for _, s := range streams {
			st, err := c.JetStream().Stream(context.Background(), s)
			if err != nil {
				return nil, err
			}
			rs = append(rs, st.CachedInfo().Config.Replicas)
		}
		return rs, nil
	})
}

// clustered reports whether the test server is part of a cluster, which
// takes more than one replica.
func clustered(t *testing.T) bool {
	nc, err := nats.Connect(natsURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	return nc.ConnectedClusterName() != ""
}

func TestReplicas(t *testing.T) {
	one, three := queueName(t), queueName(t)
	cluster := clustered(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, one, jobs.Replicas(1))
		if err != nil {
			return err
		}
		defer q.Shutdown(ctx, false)
		rs, err := replicasOf(ctx, c, one, one+"_dead")
		if err != nil {
			return err
		}
		if rs[0] != 1 || rs[1] != 1 {
			t.Errorf("replicas of the queue and its dead letters: %v, want 1 and 1", rs)
		}
		if _, err := jobs.OpenQueue[int](ctx, c, three, jobs.Replicas(0)); err == nil {
			t.Error("OpenQueue with Replicas(0) succeeded")
		}
		// The setting reaches the server: one server alone refuses three.
		q3, err := jobs.OpenQueue[int](ctx, c, three, jobs.Replicas(3))
		if cluster {
			t.Logf("the server is in a cluster: Replicas(3) gave %v", err)
			if err == nil {
				q3.Shutdown(ctx, false)
			}
		} else if err == nil {
			t.Error("a single server took a queue with 3 replicas")
		} else {
			t.Logf("a single server refuses 3 replicas: %v", err)
		}
		return nil
	})
}

func TestJobReplicas(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.JobReplicas(1))
		jobs.Register(w, "double", func(ctx context.Context, n int) (int, error) { return 2 * n, nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		job, err := c.Enqueue(ctx, "double", 21, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if r, err := jobs.ResultOf[int](ctx, job); err != nil || r != 42 {
			t.Errorf("double(21) = %d, %v", r, err)
		}
		rs, err := replicasOf(ctx, c, name, name+"_later", "KV_"+name+"_results")
		if err != nil {
			return err
		}
		for i, r := range rs {
			if r != 1 {
				t.Errorf("stream %d of the job queue has %d replicas, want 1", i, r)
			}
		}
		return nil
	})
	if clustered(t) {
		return
	}
	// A worker asking for more copies than one server can keep does not
	// start.
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, queueName(t), jobs.JobReplicas(3))
		if err := w.Run(ctx); err == nil {
			t.Error("a worker with 3 replicas ran on a single server")
		}
		return nil
	})
}
