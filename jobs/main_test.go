package jobs_test

import (
	"os"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

// TestMain runs the tests, or, when a fault test runs the test binary
// again as a worker process (workerEnv set), that worker.
func TestMain(m *testing.M) {
	if s := os.Getenv(workerEnv); s != "" {
		os.Exit(workerMain(s))
	}
	leakcheck.Main(m)
}
