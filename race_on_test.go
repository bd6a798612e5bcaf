//go:build race

package asyncio

// raceEnabled reports whether the tests run under the race detector, which
// instruments every function and so makes stack frames larger: tests of
// stack depth skip under it.
const raceEnabled = true
