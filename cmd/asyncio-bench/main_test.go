package main

import (
	"os"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

// asMainEnv makes the test binary run main instead of the tests: the jobs
// mode starts its worker processes as this program again (os.Executable),
// which under go test is the test binary.
const asMainEnv = "ASYNCIO_BENCH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	leakcheck.Main(m)
}
