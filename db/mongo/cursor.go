package mongo

import (
	"context"
	"iter"
	"sync"
	"time"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// A Cursor streams the results of a find or an aggregation, decoded as Ts
// (motor's AsyncIOMotorCursor). The documents of the batch at hand are
// decoded on the loop; a batch that must be fetched from the server is
// fetched on the client's executor. Read a cursor from one task at a time
// (or one goroutine), and close it, or read it to its end, so that the
// server can free it.
type Cursor[T any] struct {
	c *Client
	// mu is held across every use of cur: a fetch on the executor that
	// the caller gave up waiting for (its ctx ended) still runs, and the
	// Close that follows must wait for it. The loop only ever tries the
	// lock, and hands the work to the executor when it is taken.
	mu  sync.Mutex
	cur *mongodriver.Cursor
}

// openCursor runs open on c's executor and wraps the cursor it returns.
func openCursor[T any](ctx context.Context, c *Client, open func(context.Context) (*mongodriver.Cursor, error)) (*Cursor[T], error) {
	cur, err := Do(ctx, c, func(ctx context.Context) (*mongodriver.Cursor, error) {
		cur, err := open(ctx)
		if err == nil && ctx.Err() != nil {
			// Nobody will read it: free it at once.
			cur.Close(context.WithoutCancel(ctx))
			return nil, ctx.Err()
		}
		return cur, err
	})
	if err != nil {
		return nil, err
	}
	return &Cursor[T]{c: c, cur: cur}, nil
}

// Next returns the next document, and false when there are no more or on
// an error.
func (cu *Cursor[T]) Next(ctx context.Context) (T, bool, error) {
	if cu.mu.TryLock() {
		if cu.cur.RemainingBatchLength() > 0 || cu.cur.ID() == 0 {
			// The document is at hand, or there is none left: no I/O.
			v, ok, err := cu.next(ctx)
			cu.mu.Unlock()
			return v, ok, err
		}
		cu.mu.Unlock()
	}
	type result struct {
		v  T
		ok bool
	}
	r, err := Do(ctx, cu.c, func(ctx context.Context) (result, error) {
		cu.mu.Lock()
		defer cu.mu.Unlock()
		v, ok, err := cu.next(ctx)
		return result{v, ok}, err
	})
	return r.v, r.ok, err
}

// next takes the next document from the driver's cursor and decodes it;
// cu.mu is held.
func (cu *Cursor[T]) next(ctx context.Context) (T, bool, error) {
	var v T
	if !cu.cur.Next(ctx) {
		return v, false, cu.cur.Err()
	}
	if err := cu.cur.Decode(&v); err != nil {
		return v, false, err
	}
	return v, true, nil
}

// Docs returns an iterator over the documents left, which closes the
// cursor when it ends: at the last document, at an error (yielded with
// the zero T, and the last value yielded), or when the loop over it
// breaks.
//
//	for u, err := range cur.Docs(ctx) {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (cu *Cursor[T]) Docs(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer cu.Close(ctx)
		for {
			v, ok, err := cu.Next(ctx)
			if err != nil {
				yield(v, err)
				return
			}
			if !ok || !yield(v, nil) {
				return
			}
		}
	}
}

// All returns the documents left, and closes the cursor.
func (cu *Cursor[T]) All(ctx context.Context) ([]T, error) {
	var out []T
	for v, err := range cu.Docs(ctx) {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// cursorCloseTimeout bounds the close of a cursor whose reader's ctx has
// ended: the close goes on in the background, and must not hold a
// goroutine of the executor for long if the server does not answer.
const cursorCloseTimeout = 10 * time.Second

// Close frees the cursor, on the server too if it has results left (the
// killCursors command). If ctx has ended, because the task reading the
// cursor was cancelled, say, the close still goes to the server, in the
// background, and Client.Close waits for it. Close may be called more
// than once.
func (cu *Cursor[T]) Close(ctx context.Context) error {
	if cu.mu.TryLock() {
		if cu.cur.ID() == 0 { // the server has freed it already: no I/O
			err := cu.cur.Close(ctx)
			cu.mu.Unlock()
			return err
		}
		cu.mu.Unlock()
	}
	if ctx.Err() != nil {
		// The close goes to the executor without a task waiting for it;
		// Client.Close waits for it. A client already closing takes no
		// more work, and the server frees the cursor after its idle timeout.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cursorCloseTimeout)
		if err := cu.c.exec.Submit(func() {
			defer cancel()
			cu.close(ctx)
		}); err != nil {
			cancel()
		}
		return nil
	}
	_, err := Do(ctx, cu.c, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, cu.close(ctx)
	})
	return err
}

// close closes the driver's cursor once no fetch is under way.
func (cu *Cursor[T]) close(ctx context.Context) error {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return cu.cur.Close(ctx)
}
