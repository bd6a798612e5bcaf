//go:build race

package db_test

// raceEnabled reports whether the tests run under the race detector, which
// slows the pure-Go SQLite fiftyfold and keeps both CPUs of a small
// machine busy.
const raceEnabled = true
