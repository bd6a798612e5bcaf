package asynciotest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// startOrder runs eight tasks that become ready in the same iteration,
// on a loop made with opts, and returns the order in which they ran.
func startOrder(t *testing.T, opts ...asyncio.Option) []int {
	var order []int
	asynciotest.Run(t, func(ctx context.Context) error {
		var tasks []*asyncio.Task[int]
		for i := range 8 {
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				order = append(order, i)
				return i, nil
			}))
		}
		_, err := asyncio.Gather(ctx, func(ctx context.Context) ([]int, error) {
			var out []int
			for _, task := range tasks {
				v, err := task.Wait(ctx)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, nil
		})
		return err
	}, opts...)
	return order
}

// Without a seed the tasks run in the order they were woken; a seed
// permutes that order, the same way every time it is given, and other
// seeds give other orders.
func TestScheduleSeedPermutesReproducibly(t *testing.T) {
	fifo := []int{0, 1, 2, 3, 4, 5, 6, 7}
	if got := startOrder(t); !slices.Equal(got, fifo) {
		t.Fatalf("without a seed the tasks ran in order %v, want %v", got, fifo)
	}
	distinct := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		first := startOrder(t, asyncio.WithScheduleSeed(seed))
		again := startOrder(t, asyncio.WithScheduleSeed(seed))
		if !slices.Equal(first, again) {
			t.Errorf("seed %d gave order %v, then %v", seed, first, again)
		}
		if sorted := slices.Sorted(slices.Values(first)); !slices.Equal(sorted, fifo) {
			t.Errorf("seed %d ran tasks %v: each task must run once", seed, first)
		}
		distinct[fmt.Sprint(first)] = true
	}
	// 20 draws among 8! orders: all but certainly distinct. The draws are
	// fixed by the seeds, so this cannot flake.
	if len(distinct) < 15 {
		t.Errorf("20 seeds gave only %d distinct orders", len(distinct))
	}
}

// racyBody has an order dependency: the reader assumes that one of the
// writers, woken in the same iteration but spawned before it, has run. In
// the order of wake-ups one always has; in a shuffled order the reader
// runs first one time in five.
func racyBody(ctx context.Context) error {
	written := 0
	var tasks []*asyncio.Task[int]
	for range 4 {
		tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			err := asyncio.Sleep(ctx, 0)
			written++
			return 0, err
		}, asyncio.Name("writer")))
	}
	tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return 0, err
		}
		if written == 0 {
			return 0, errors.New("the reader ran before every writer")
		}
		return 0, nil
	}, asyncio.Name("reader")))
	for _, task := range tasks {
		if _, err := task.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// The racy body passes under the plain schedule.
func TestRacyBodyPassesInWakeUpOrder(t *testing.T) {
	asynciotest.Run(t, racyBody)
}

// TestRacyDemo is the test TestExploreFindsAndReplaysRace runs in a child
// process: it fails, on purpose, under some seed.
func TestRacyDemo(t *testing.T) {
	if os.Getenv("ASYNCIOTEST_RACY_DEMO") == "" {
		t.Skip("run by TestExploreFindsAndReplaysRace")
	}
	asynciotest.Explore(t, 100, racyBody)
}

// runDemo runs TestRacyDemo in a child process with env added, and
// returns its verbose output; the child must fail.
func runDemo(t *testing.T, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRacyDemo$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, "ASYNCIOTEST_RACY_DEMO=1")...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the demo should fail; err %v, output:\n%s", err, out)
	}
	return string(out)
}

// Explore finds the seed under which the racy body fails, stops there and
// says how to replay it; replaying that seed fails again, the same way.
func TestExploreFindsAndReplaysRace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary")
	}
	out := runDemo(t)
	failed := regexp.MustCompile(`--- FAIL: TestRacyDemo/seed=(\d+)`).FindAllStringSubmatch(out, -1)
	if len(failed) != 1 {
		t.Fatalf("want exactly one failing seed (Explore stops at the first), got %d; output:\n%s", len(failed), out)
	}
	seed := failed[0][1]
	if !strings.Contains(out, "the reader ran before every writer") {
		t.Errorf("the failure does not show the body's error; output:\n%s", out)
	}
	replay := asynciotest.SeedEnv + "=" + seed + " go test -run '^TestRacyDemo$/^seed=" + seed + "$'"
	if !strings.Contains(out, replay) {
		t.Errorf("the output does not say how to replay (%s); output:\n%s", replay, out)
	}
	passed := regexp.MustCompile(`--- PASS: TestRacyDemo/seed=\d+`).FindAllString(out, -1)
	if n, _ := strconv.Atoi(seed); len(passed) != n-1 {
		t.Errorf("%d seeds passed before seed %s failed, want %d", len(passed), seed, n-1)
	}

	again := runDemo(t, asynciotest.SeedEnv+"="+seed)
	if !strings.Contains(again, "--- FAIL: TestRacyDemo/seed="+seed) || strings.Contains(again, "--- PASS: TestRacyDemo/seed=") {
		t.Errorf("replaying seed %s did not run that seed alone and fail; output:\n%s", seed, again)
	}
}

// A seed that is not a number fails the test rather than exploring
// something else than asked.
func TestExploreBadSeedEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary")
	}
	out := runDemo(t, asynciotest.SeedEnv+"=seven")
	if !strings.Contains(out, `ASYNCIOTEST_SEED="seven" is not a seed`) || strings.Contains(out, "seed=") {
		t.Errorf("want the bad seed reported and nothing run; output:\n%s", out)
	}
}
