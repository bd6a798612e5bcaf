package asyncio

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable writes the snapshot as a table, one task per line, like
// Python's `asyncio ps`: id, name, state, what it waits in, the tasks it
// waits for, for how long, its parent and, if any task says so, what it
// is doing (Annotate); then the step blocking the
// loop, if one does, and the await cycles.
func (s *Snapshot) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	s.writeHeader(bw)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	// The DOING column shows only when a task says what it is doing.
	doing := false
	for _, t := range s.Tasks {
		doing = doing || t.Doing != ""
	}
	if doing {
		fmt.Fprintln(tw, "ID\tNAME\tSTATE\tWAIT\tWAITS FOR\tFOR\tPARENT\tDOING")
	} else {
		fmt.Fprintln(tw, "ID\tNAME\tSTATE\tWAIT\tWAITS FOR\tFOR\tPARENT")
	}
	for _, t := range s.Tasks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s", t.ID, t.Name, t.State, dash(t.Wait),
			dash(s.names(t.WaitsFor)), dash(s.age(t)), dash(s.name(t.Parent)))
		if doing {
			fmt.Fprintf(tw, "\t%s", dash(t.Doing))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	s.writeFooter(bw)
	return bw.Flush()
}

// WriteTree writes the snapshot as a tree of tasks by the task that
// spawned them, like Python's `asyncio pstree`, each with what it waits in
// and for; then the step blocking the loop, if one does, and the await
// cycles.
func (s *Snapshot) WriteTree(w io.Writer) error {
	bw := bufio.NewWriter(w)
	s.writeHeader(bw)
	live := make(map[uint64]bool, len(s.Tasks))
	for _, t := range s.Tasks {
		live[t.ID] = true
	}
	kids := make(map[uint64][]TaskInfo)
	for _, t := range s.Tasks {
		p := t.Parent
		if !live[p] {
			p = 0 // its parent ended: show it at the top
		}
		kids[p] = append(kids[p], t)
	}
	var walk func(parent uint64, indent string)
	walk = func(parent uint64, indent string) {
		list := kids[parent]
		for i, t := range list {
			branch, next := "├── ", "│   "
			if i == len(list)-1 {
				branch, next = "└── ", "    "
			}
			fmt.Fprintf(bw, "%s%s%s\n", indent, branch, s.describe(t))
			walk(t.ID, indent+next)
		}
	}
	walk(0, "")
	s.writeFooter(bw)
	return bw.Flush()
}

// describe is one task's line of the tree.
func (s *Snapshot) describe(t TaskInfo) string {
	line := fmt.Sprintf("%s (#%d) %s", t.Name, t.ID, t.State)
	if t.Wait != "" {
		line += " in " + t.Wait
	}
	if len(t.WaitsFor) > 0 {
		line += " for " + s.names(t.WaitsFor)
	}
	if a := s.age(t); a != "" {
		line += ", " + a
	}
	if t.Doing != "" {
		line += ": " + t.Doing
	}
	return line
}

func (s *Snapshot) writeHeader(w io.Writer) {
	fmt.Fprintf(w, "loop %d: %d tasks, loop time %v", s.Loop, len(s.Tasks), s.Time.Round(time.Millisecond))
	if s.Stale {
		fmt.Fprint(w, " (stale: the loop did not answer; tasks as it last reported them)")
	}
	fmt.Fprintln(w)
}

func (s *Snapshot) writeFooter(w io.Writer) {
	if b := s.Blocked; b != nil {
		what := "the loop's own work"
		switch {
		case b.Task != "":
			what = fmt.Sprintf("task %s (#%d)", b.Task, b.TaskID)
		case b.Callback != "":
			what = "callback " + b.Callback
		}
		fmt.Fprintf(w, "the loop is blocked: %s has run for %v without yielding\n", what, b.Duration.Round(time.Millisecond))
		for _, line := range strings.Split(strings.TrimRight(b.Stack, "\n"), "\n") {
			fmt.Fprintln(w, "    "+line)
		}
	}
	for _, c := range s.Cycles {
		parts := make([]string, 0, len(c)+1)
		for _, id := range append(c, c[0]) {
			parts = append(parts, fmt.Sprintf("%s (#%d)", s.name(id), id))
		}
		fmt.Fprintf(w, "await cycle: %s\n", strings.Join(parts, " → "))
	}
}

// name returns the name of task id, or "" if it is not in the snapshot.
func (s *Snapshot) name(id uint64) string {
	if id == 0 {
		return ""
	}
	for _, t := range s.Tasks {
		if t.ID == id {
			return t.Name
		}
	}
	return fmt.Sprintf("#%d", id)
}

func (s *Snapshot) names(ids []uint64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = s.name(id)
	}
	return strings.Join(parts, ", ")
}

// age says how long a task has waited as of the snapshot.
func (s *Snapshot) age(t TaskInfo) string {
	if t.State != "waiting" {
		return "" // a running step's start is not recorded: it would cost a clock read per step
	}
	d := s.Time - t.Since
	switch {
	case d < 0:
		d = 0
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	return d.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
