package asyncio

import "math/rand/v2"

// WithScheduleSeed makes the loop run the tasks that are ready in the same
// iteration in an order drawn from seed, rather than in the order they
// became ready. Callbacks keep their places and their FIFO order; only the
// task steps among them are permuted. asyncio gives no order between tasks
// woken in one iteration beyond that of the wake-ups, so code that depends
// on it has a race: a test runs the same body under many seeds to explore
// the interleavings, and replays a failing one exactly by its seed (see
// package asynciotest). The same seed, program and inputs give the same
// order, run after run.
func WithScheduleSeed(seed uint64) Option {
	return func(c *config) { c.scheduleSeed, c.shuffle = seed, true }
}

// shuffleTasks permutes the task steps of the batch among the positions
// they hold, leaving callbacks where they are.
func (l *Loop) shuffleTasks(batch []readyItem) {
	pos := l.shufflePos[:0]
	for i := range batch {
		if batch[i].w.t != nil {
			pos = append(pos, i)
		}
	}
	l.shufflePos = pos
	for i := len(pos) - 1; i > 0; i-- {
		j := l.rand.IntN(i + 1)
		batch[pos[i]], batch[pos[j]] = batch[pos[j]], batch[pos[i]]
	}
}

// newScheduleRand returns the generator of a loop made WithScheduleSeed.
func newScheduleRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
