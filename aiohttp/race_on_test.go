//go:build race

package aiohttp_test

// raceEnabled reports whether the tests run under the race detector, which
// makes every byte a test moves cost many times more: tests that move
// megabytes move less under it.
const raceEnabled = true
