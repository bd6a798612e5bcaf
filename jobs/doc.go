// Package jobs carries work beyond one process: a queue shared by every
// process that opens it by name, kept by NATS JetStream, with the shape of
// asyncio.Queue (Put, Get, TaskDone, Join, Shutdown). It is the ground for
// a worker runner in the style of Python's arq (job functions by name,
// results awaited from any process), which will live here too: hence the
// name jobs rather than queue.
//
// Connect dials a NATS server; OpenQueue creates or binds a stream with
// work-queue retention and a durable pull consumer, both named after the
// queue, so every process that opens the same name shares the items:
//
//	c, err := jobs.Connect(ctx, "nats://127.0.0.1:4222")
//	q, err := jobs.OpenQueue[Order](ctx, c, "orders")
//	err = q.Put(ctx, Order{ID: 7})
//	it, err := q.Get(ctx)
//	... it.Value ...
//	err = it.TaskDone()
//
// Delivery is at least once. An item taken by Get is the caller's until it
// calls TaskDone (the item is acknowledged and leaves the stream) or Retry
// (it comes back after a delay); while the caller holds it, the queue
// tells the server it is still at work, so a slow handler keeps its item.
// An item whose holder dies comes back once the server's ack deadline
// (AckWait) passes. After MaxAttempts deliveries an item is moved to the
// queue's dead-letter stream with the reason. Put with MsgID is stored
// once however often it is sent within the duplicate window; nothing makes
// a handler's effects happen exactly once, and items put by several
// producers have no order between them.
//
// The NATS client runs its own goroutines; no call of this package lets
// it block the loop. Waits are waits of the calling task, cancellable and
// annotated for asyncio ps.
package jobs
