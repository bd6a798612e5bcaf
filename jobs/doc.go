// Package jobs carries work beyond one process, on NATS JetStream: a
// worker runner in the manner of Python's arq (job functions registered
// by name, enqueued from any process, their results awaited from any
// process), and beneath it a queue shared by every process that opens it
// by name, with the shape of asyncio.Queue.
//
// # Jobs
//
// A producer enqueues a job by the name of its function, with arguments
// encoded as JSON, and may wait for its result:
//
//	c, err := jobs.Connect(ctx, "nats://127.0.0.1:4222")
//	job, err := c.Enqueue(ctx, "resize", Resize{URL: u, Width: 200}, jobs.OnQueue("images"))
//	thumb, err := jobs.ResultOf[Thumbnail](ctx, job)
//
// A worker, in this process or any other, registers the functions and
// runs the queue until its ctx ends:
//
//	w := jobs.NewWorker(c, "images", jobs.Concurrency(20), jobs.JobTimeout(time.Minute))
//	jobs.Register(w, "resize", func(ctx context.Context, r Resize) (Thumbnail, error) { ... })
//	jobs.RegisterCron(w, "cleanup", jobs.Cron("0 3 * * *"), cleanup)
//	err = w.Run(ctx)
//
// Each job runs in a task of the worker, bounded by JobTimeout. A job
// that fails is tried again after a backoff, up to MaxTries, unless its
// error is patterns.Permanent; then it fails for good, its Result is a
// *JobError, and it goes to the queue's dead letters. Jobs may wait
// (Delay, At) and may recur (RegisterCron: once per time for all the
// queue's workers). Run's end is graceful: the worker stops taking jobs,
// lets those in flight finish within ShutdownGrace, and hands the rest
// back to the server for other workers.
//
// # Queues
//
// OpenQueue creates or binds a stream with work-queue retention and a
// durable pull consumer, both named after the queue, so every process
// that opens the same name shares the items:
//
//	q, err := jobs.OpenQueue[Order](ctx, c, "orders")
//	err = q.Put(ctx, Order{ID: 7})
//	it, err := q.Get(ctx)
//	... it.Value ...
//	err = it.TaskDone()
//
// An item taken by Get is the caller's until it calls TaskDone (the item
// is acknowledged and leaves the stream) or Retry (it comes back after a
// delay); while the caller holds it, the queue tells the server it is
// still at work, so a slow handler keeps its item. An item whose holder
// dies comes back once the server's ack deadline (AckWait) passes. After
// MaxAttempts deliveries an item is moved to the queue's dead-letter
// stream with the reason.
//
// # What is promised
//
// Delivery is at least once, for jobs and items alike. Put with MsgID,
// and Enqueue with JobID, store a message once however often it is sent
// within the duplicate window (2 min); nothing makes a handler's effects
// happen exactly once: a job whose worker dies after doing its work but
// before acknowledging it runs again, so a job function that must not
// repeat its effects keys them by its job's id (CurrentJob). Items and
// jobs put by several producers have no order between them.
//
// # The loop
//
// The NATS client runs its own goroutines; no call of this package lets
// it block the loop: writes go through one goroutine per Client,
// request–reply calls through a small executor, and what the server
// sends is handed to the loop. Waits are waits of the calling task,
// cancellable, and annotated for asyncio ps: a task waiting for a job's
// result, running a job or waiting for an item says so.
package jobs
