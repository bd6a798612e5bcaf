package asynciotest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// reportPending fails t with a line for each task of the loop of ctx, the
// calling one aside, that has not ended: its name and what it waits in,
// as Loop.Snapshot describes it.
func reportPending(t testing.TB, ctx context.Context) {
	s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
	if err != nil {
		t.Errorf("asynciotest: cannot list the pending tasks: %v", err)
		return
	}
	names := make(map[uint64]string, len(s.Tasks))
	for _, ti := range s.Tasks {
		names[ti.ID] = ti.Name
	}
	var lines []string
	for _, ti := range s.Tasks {
		if ti.State == "running" { // the body's own task, which is returning
			continue
		}
		lines = append(lines, "\t"+describeTask(ti, names))
	}
	if len(lines) == 0 {
		return
	}
	t.Errorf("asynciotest: %d task(s) still pending when the test body returned (end them, or call CancelPending if leaving them is the point):\n%s",
		len(lines), strings.Join(lines, "\n"))
}

// describeTask says what a pending task is doing, in one line.
func describeTask(ti asyncio.TaskInfo, names map[uint64]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "task %q", ti.Name)
	switch ti.State {
	case "new":
		b.WriteString(" has not started")
	case "waiting":
		fmt.Fprintf(&b, " waits in %s since %v", ti.Wait, ti.Since)
		if len(ti.WaitsFor) > 0 {
			var on []string
			for _, id := range ti.WaitsFor {
				on = append(on, fmt.Sprintf("%q", names[id]))
			}
			fmt.Fprintf(&b, " (for %s)", strings.Join(on, ", "))
		}
	default:
		fmt.Fprintf(&b, " is %s", ti.State)
	}
	return b.String()
}

// CancelPending cancels every task of the loop of ctx but the calling one,
// and waits until they have all ended: what asyncio.Run does at shutdown,
// said out loud. A test that leaves tasks behind on purpose (a server it
// never stops, the task a cancelled waiter was waiting for) calls it
// before returning, so that Run's report of pending tasks keeps meaning a
// task was forgotten. It returns an error only if ctx is cancelled.
func CancelPending(ctx context.Context) error {
	self := asyncio.CurrentTask(ctx)
	// A task's cleanup may spawn more tasks: go on until none is left.
	for {
		var pending []asyncio.AnyTask
		for _, task := range asyncio.AllTasks(ctx) {
			if task != self {
				task.Cancel()
				pending = append(pending, task)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if _, _, err := asyncio.Wait(ctx, pending, asyncio.AllCompleted); err != nil {
			return err
		}
	}
}
