package asyncio

import (
	"context"
	"testing"
	"time"
)

// TestThreadPoolIdleTimeoutKeepsGoroutines: with an idle timeout, calls
// submitted one after another run on the same goroutine, and Shutdown
// ends it at once rather than after the timeout. The pool has one
// goroutine: a call submitted while the last one's goroutine is still on
// its way back to waiting may rightly start another in a larger pool.
func TestThreadPoolIdleTimeoutKeepsGoroutines(t *testing.T) {
	p := NewThreadPool(1)
	p.SetIdleTimeout(time.Hour)
	ran := make(chan uint64)
	var first uint64
	for i := range 50 {
		if err := p.Submit(func() { ran <- goid() }); err != nil {
			t.Fatal(err)
		}
		id := <-ran
		if i == 0 {
			first = id
		} else if id != first {
			t.Fatalf("call %d ran on goroutine %d, the first on %d", i, id, first)
		}
	}
	done := make(chan error)
	go func() { done <- p.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown waited for the idle goroutine's timeout")
	}
	if err := p.Submit(func() {}); err != ErrExecutorShutDown {
		t.Errorf("Submit after Shutdown: %v", err)
	}
}

// TestThreadPoolIdleTimeoutEnds: an idle goroutine ends once the timeout
// passes, and the pool starts another for the next call.
func TestThreadPoolIdleTimeoutEnds(t *testing.T) {
	p := NewThreadPool(1)
	p.SetIdleTimeout(time.Millisecond)
	ran := make(chan uint64)
	p.Submit(func() { ran <- goid() })
	first := <-ran
	// Wait for the worker to end: the pool counts it.
	for deadline := time.Now().Add(10 * time.Second); ; {
		p.mu.Lock()
		n := p.workers
		p.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the idle goroutine did not end after its timeout")
		}
		time.Sleep(time.Millisecond)
	}
	p.Submit(func() { ran <- goid() })
	if second := <-ran; second == first {
		t.Errorf("the second call ran on the ended goroutine %d", first)
	}
	p.Shutdown(context.Background())
}
