package asynciotest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// SeedEnv is the environment variable that makes Explore run one schedule
// seed, the one it holds, instead of its range: the way to replay a seed
// that failed, with its output, under a debugger or with more logging.
const SeedEnv = "ASYNCIOTEST_SEED"

// Explore runs body as Run does, once for each schedule seed from 1 to n,
// each in a subtest named "seed=N" on a loop made with
// asyncio.WithScheduleSeed(N): the tasks that are ready in the same
// iteration of the loop run in an order drawn from the seed. Code whose
// result depends on that order has a race that a single run, always in
// the order the tasks were woken, would not show.
//
// Explore stops at the first seed that fails, and logs how to replay it:
// the same seed gives the same schedule, run after run, as long as the
// body does the same things (its other inputs, such as the seed of a
// simnet.Network, are its own to fix). With SeedEnv set, Explore runs only
// the seed it names.
func Explore(t *testing.T, n int, body func(ctx context.Context) error, opts ...asyncio.Option) {
	t.Helper()
	seeds, err := exploreSeeds(n)
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds {
		ok := t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Helper()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("asynciotest: failed under schedule seed %d; replay it with\n\t%s=%d go test -run '%s'",
						seed, SeedEnv, seed, runPattern(t.Name()))
				}
			})
			Run(t, body, append([]asyncio.Option{asyncio.WithScheduleSeed(seed)}, opts...)...)
		})
		if !ok {
			return
		}
	}
}

// exploreSeeds returns the seeds Explore runs: 1 to n, or the one SeedEnv
// names.
func exploreSeeds(n int) ([]uint64, error) {
	if v := os.Getenv(SeedEnv); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("asynciotest: %s=%q is not a seed: %v", SeedEnv, v, err)
		}
		return []uint64{seed}, nil
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds, nil
}

// runPattern is the -run pattern that selects exactly the test named name,
// such as "TestRace/seed=3".
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
