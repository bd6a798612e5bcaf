//go:build !linux

package asyncio

// threadTimes reports false: only Linux gives the times of each thread.
func threadTimes() (map[int]threadTime, bool) { return nil, false }
