// Package patterns holds the coordination patterns asyncio programs keep
// writing by hand, built on the exported API of package asyncio:
//
//   - CapacityLimiter: a semaphore that knows who holds its tokens (anyio's
//     and trio's CapacityLimiter).
//   - RateLimiter: a token bucket on the loop's clock, fair to its waiters
//     (aiolimiter, golang.org/x/time/rate).
//   - Debouncer and Throttle: run a function once things calm down, or at
//     most once per interval.
//   - Retry: call a function again with exponential backoff and jitter
//     (tenacity, backoff).
//   - Pool: a pool of resources such as connections (asyncpg's and
//     aiohttp's pools).
//   - Broadcast: publish–subscribe with a policy for slow subscribers (anyio's
//     memory object streams, broadcast channels).
//
// # Rules shared by every pattern
//
// Waiters are served in FIFO order and what a pattern hands out (a token, a
// permit, a resource, a value) is handed directly to the first waiter, so a
// newcomer never takes what a waiter was given. Every wait is
// cancellation-safe: a wait whose ctx ends returns ctx's error (level
// triggered, as everywhere in asyncio) and takes nothing; a waiter
// cancelled after something was handed to it, but before it resumed, passes
// it on to the next waiter. Nothing is created or lost by a cancellation.
// A wait called with a ctx that is already done fails at once.
//
// Time always comes from the loop's clock, so under a virtual clock
// (asynciotest.Run) the timing of every pattern is exact and tests run in
// no real time.
//
// CapacityLimiter, Pool and Broadcast work from tasks and from plain
// goroutines, like asyncio's Lock and Queue: a wait suspends a task or
// blocks a goroutine. RateLimiter, Debouncer and Throttle schedule timers
// on the loop they were made on, and their methods must be called from code
// running on that loop (its tasks and callbacks), as Loop.CallLater must.
// Retry sleeps with asyncio.Sleep, which follows the same rule as every
// wait of package asyncio.
//
// # Options
//
// The package configures several types, none of them asyncio's, so an
// option is named for the type it configures and then for what it sets
// (PoolMaxSize, RetryBackoff), where package asyncio names an option after
// asyncio's keyword or starts it with With.
package patterns
