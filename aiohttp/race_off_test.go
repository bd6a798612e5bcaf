//go:build !race

package aiohttp_test

// raceEnabled reports whether the tests run under the race detector; see
// race_on_test.go.
const raceEnabled = false
