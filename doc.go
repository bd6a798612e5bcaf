// Package asyncio is Python's asyncio for Go: a single-threaded event loop
// that runs cooperative tasks, with futures, level-triggered cancellation
// through context.Context, timeout scopes, task groups and a virtual clock.
//
// A program starts the loop with Run, which runs a main function as the
// first task and returns its result:
//
//	v, err := asyncio.Run(func(ctx context.Context) (int, error) {
//		t := asyncio.Spawn(ctx, work, asyncio.Name("work"))
//		if err := asyncio.Sleep(ctx, time.Second); err != nil {
//			return 0, err
//		}
//		return t.Wait(ctx)
//	})
//
// # One task at a time
//
// Every task body runs on its own goroutine, but the loop hands control to
// exactly one of them at a time and takes it back at the next wait (Sleep,
// Task.Wait, Future.Wait, Gather, ...). The code a task runs between two waits
// is therefore atomic with respect to every other task of its loop: state
// shared only between tasks of one loop needs no mutex.
//
// # Cancellation
//
// The ctx a task receives is cancelled by Task.Cancel, by the task group or
// Gather it belongs to, or by the expiry of a timeout scope. Cancellation is
// level-triggered: once the ctx is done, every wait that uses it returns an
// error satisfying errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded inside an expired timeout scope) until the task
// returns. A cancellation that arrives while a wait is suspended wins over
// a completion that arrives in the same iteration of the loop, as in
// asyncio; nothing is lost by it, since the future or task keeps its
// result. A wait for something that is already done returns its result at
// once without looking at ctx, as awaiting a finished future does in
// asyncio; Sleep always looks. A function that must finish in spite of
// cancellation uses context.WithoutCancel(ctx), which shields it; asyncio's
// shield is Shield.
//
// # Goroutines
//
// This is the package's one goroutine-safety rule; the doc of each call
// repeats the part that concerns it.
//
// Safe from any goroutine, because they only schedule, resolve or read:
// Loop.CallSoonThreadsafe, Loop.Stop, Loop.Time, Loop.AddSignalHandler,
// Loop.RemoveSignalHandler, Loop.Snapshot, Loop.Lag, Loop.Stalls,
// Loop.StopTrace, Handle.Cancel, TimerHandle.Cancel, Submit, SubmitWait,
// Task.Cancel, Task.CancelCause, the getters of tasks and futures (Done,
// Err, Result, Cancelled) and OnDone, Future.SetResult, SetError,
// TrySetResult, TrySetError and Cancel, every method of Lock, Event,
// Condition, Semaphore, Barrier and Queue (their waits follow the rule for
// waits below), the methods of VirtualClock and ThreadPool, and those of
// Workers (Wait follows the rule for waits). In asyncio
// only call_soon_threadsafe, run_coroutine_threadsafe and wrap_future are.
//
// Loop-only, from code running on the loop (a task or a callback):
// Loop.CallSoon, Loop.CallLater, Loop.CallAt, Spawn, SpawnIn, the methods
// of a TimeoutScope (used by the task that made it) and the calls that make
// transports, servers and processes. While the loop runs, debug mode
// panics when CallSoon, CallLater, CallAt or Spawn is called from another
// goroutine, as asyncio's debug mode raises. Other goroutines start tasks
// with Submit.
//
// Calls that wait take a ctx. Given the ctx of a task they suspend that
// task; called with any other ctx, from a goroutine that is not a task, they
// block that goroutine until done or until ctx is done. Waiting with the
// ctx of a task from outside that task returns ErrWrongGoroutine: the loop
// knows which task is running, so a wait from another task, from a
// callback, or from any goroutine while the loop sleeps is caught. A
// goroutine started by a task and waiting with the task's ctx at the moment
// that task runs (or has just yielded) is caught only in debug mode, which
// compares goroutines. Debug mode also catches the converse mistake: a task
// that waits with a ctx of no task (context.Background(), say) would block
// its own loop, and gets ErrBlocksLoop instead. Gather, GatherSettled and
// WithTaskGroup need a task and return ErrNoTask without one.
//
// Locks, semaphores, events, conditions, barriers and queues are not tied
// to a loop: tasks and plain goroutines can share them, which makes a Queue
// the natural bridge between loop code and the rest of a Go program.
//
// # Never block the loop
//
// A task that calls something that blocks its goroutine (time.Sleep, a
// net/http request, a database/sql query, a file read, a mutex held
// elsewhere, any blocking library) stops every task of its loop until the
// call returns: the loop runs one task at a time and only gets control back
// at a wait of this package. The watchdog names such a task and shows its
// stack while it blocks (see Introspection). Run blocking work off the loop
// with ToThread or RunInExecutor, on an executor sized for it
// (NewThreadPool, WithExecutor); package files does that for file I/O.
//
// # Options
//
// Every call that takes options takes them as a variadic list of values of
// one kind per call (Option for NewLoop, Run and NewRunner, TaskOption for
// Spawn, ConnOption, ServerOption, ...). An option named after a keyword
// argument of the asyncio call it stands for has that keyword's name in Go
// case, in Go's words where Go has its own (Name, Limit, Backlog,
// ReusePort, Stdin, Debug, TLS for ssl); an option that asyncio has no
// keyword for starts with With (WithClock, WithExecutor, WithWatchdog,
// WithKillOnCancel). An option that means the same thing to several calls
// is one value of each of their kinds (Limit is both a ConnOption and a
// ServerOption). Packages monitor, files and asynciotest follow the same
// rule; package patterns names an option after the type it configures.
//
// # Networking
//
// Transports and protocols are asyncio's: CreateServer and CreateConnection
// connect a socket to a Protocol, whose ConnectionMade, DataReceived,
// EOFReceived and ConnectionLost the loop calls, and the protocol writes
// through its Transport, with flow control (PauseWriting and ResumeWriting
// around the write buffer's limits; PauseReading and ResumeReading).
// BufferedProtocol receives into its own buffer; DatagramProtocol and
// CreateDatagramEndpoint do the same for UDP and Unix datagrams;
// ConnectReadPipe and ConnectWritePipe for pipes; TLS and StartTLS add
// crypto/tls over any transport. Two I/O backends carry all of it (see
// IOBackend): the OS poller, with no goroutine per connection, and a
// portable one on the net package.
//
// Below transports is the descriptor-level layer, asyncio's loop.sock_*
// and add_reader: Loop.AddReader, Loop.AddWriter, SockRecv, SockSendAll,
// SockConnect, SockAccept, SockRecvFrom, SockSendTo, SetNonblock and
// NewSocketTransport, for code that owns its sockets.
//
// A loop uses one core. StartWorkers runs a main function on several
// loops, each on an OS thread of its own, and stops them together: a
// server that wants every core listens in each worker on one port, with
// ReusePort, and the kernel spreads the connections over the loops.
//
// # Streams
//
// StartServer and OpenConnection give a StreamReader and a StreamWriter per
// connection (asyncio's streams): ReadLine, ReadUntil, ReadExactly, Read,
// Write and Drain, each also usable as an io.Reader or io.Writer. A read at
// the end of the stream returns io.EOF; a connection's error reaches every
// read once the data that came before it has been read.
//
// # Subprocesses
//
// CreateSubprocessExec and CreateSubprocessShell start a child with its
// standard streams as pipes (Stdin, Stdout, Stderr), and return a Process
// to Wait for, Communicate with or signal; children are reaped through the
// loop's poller where the system allows.
//
// # Introspection
//
// Loop.Snapshot lists every task, what it waits in and for, and since when,
// with await cycles; an always-on watchdog reports a task or callback that
// keeps the loop busy, while it does, with its stack (WithStallHandler,
// Loop.Stalls); Loop.Lag keeps timer lateness; Loop.StartTrace writes a
// Chrome trace; WithTaskLabels names tasks in pprof profiles. Package
// monitor serves all of it to the asyncio command and a web page.
//
// # Files
//
// The package's files are grouped by the prefix of their names: loop*.go
// (the loop, handles, timers, clocks, options, Run, executors, bridges to
// goroutines, signals), task*.go (tasks, coroutines, futures, cancellation
// scopes, Sleep), flow_*.go (Gather, Wait, AsCompleted, Shield, timeouts,
// task groups), sync_*.go (locks, events, conditions, semaphores, barriers,
// queues, and the wait queue under them), net_*.go (transports, protocols,
// servers, dialing, TLS, datagrams, pipes, sendfile, the descriptor-level
// layer; *_fd.go is the poller backend's part, *_portable.go the portable
// one's), stream*.go, subprocess*.go and introspect*.go.
package asyncio
