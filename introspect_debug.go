package asyncio

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// goid returns the id of the calling goroutine. It parses runtime.Stack, so
// it is slow: debug mode uses it to catch loop-only calls made from other
// goroutines.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

// funcName names a callback in debug warnings.
func funcName(fn func()) string {
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return "?"
}

// ErrBlocksLoop is returned in debug mode by a wait given a ctx of no task
// but called from a task's goroutine: it would block the goroutine, and so
// the whole loop, until something the loop itself may have to do. Pass the
// task's ctx (or context.WithoutCancel of it) instead.
var ErrBlocksLoop = errors.New("asyncio: a wait with a ctx of no task, called from a task, would block its loop")

// Debug mode keeps a map from goroutine to the task it runs, to catch a
// task that waits with a ctx of no task (context.Background(), say).
var (
	debugLoops atomic.Int32 // loops in debug mode that ran a task
	debugTasks sync.Map     // goid -> *taskCore
)

// debugEnter and debugLeave bracket a task body in debug mode.
func debugEnter(t *taskCore) {
	debugLoops.Add(1)
	debugTasks.Store(t.debug.goid, t)
}

func debugLeave(t *taskCore) {
	debugTasks.Delete(t.debug.goid)
	debugLoops.Add(-1)
}

// checkBlocking returns ErrBlocksLoop if the calling goroutine runs a task
// of a loop in debug mode. It is what every blocking path calls first.
func checkBlocking() error {
	if debugLoops.Load() == 0 {
		return nil
	}
	if _, ok := debugTasks.Load(goid()); ok {
		return ErrBlocksLoop
	}
	return nil
}

// spawnedStack returns where the task was spawned, if debug mode recorded
// it.
func (t *taskCore) spawnedStack() []byte {
	if t.debug == nil {
		return nil
	}
	return t.debug.spawnedAt
}
