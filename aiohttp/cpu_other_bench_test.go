//go:build !unix

package aiohttp_test

// processCPU is 0 where getrusage is missing: the cpu-ns/op metrics then
// read 0.
func processCPU() int64 { return 0 }
