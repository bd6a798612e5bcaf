//go:build race

package aiohttp_test

// raceEnabled reports whether the tests run under the race detector, which
// makes every step several times slower: the largest hostile tests scale
// down under it.
const raceEnabled = true
