package asyncio

// A waitKind says what a task waits in, for a Snapshot, a trace and the
// report of a deadlock. A byte, not a string, as every task carries one.
type waitKind uint8

const (
	waitNone waitKind = iota
	waitFuture
	waitTask
	waitSleep
	waitChildren
	waitWait
	waitStreamRead
	waitLock
	waitSemaphore
	waitEvent
	waitCondition
	waitBarrier
	waitQueuePut
	waitQueueGet
	waitQueueJoin
	waitSocketRead
	waitSocketWrite
	waitExecutor
	waitProcess
)

var waitNames = [...]string{
	waitNone:        "",
	waitFuture:      "Future.Wait",
	waitTask:        "Task.Wait",
	waitSleep:       "Sleep",
	waitChildren:    "children",
	waitWait:        "Wait",
	waitStreamRead:  "StreamReader.Read",
	waitLock:        "Lock.Acquire",
	waitSemaphore:   "Semaphore.Acquire",
	waitEvent:       "Event.Wait",
	waitCondition:   "Condition.Wait",
	waitBarrier:     "Barrier.Wait",
	waitQueuePut:    "Queue.Put",
	waitQueueGet:    "Queue.Get",
	waitQueueJoin:   "Queue.Join",
	waitSocketRead:  "socket readable",
	waitSocketWrite: "socket writable",
	waitExecutor:    "executor",
	waitProcess:     "Process.Wait",
}

func (k waitKind) String() string { return waitNames[k] }
