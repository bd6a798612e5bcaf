package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
)

// defaultInterval is how often top refreshes by default.
const defaultInterval = time.Second

// lagWindow is how far back top's "lag now" looks.
const lagWindow = 10 * time.Second

// ANSI sequences: cursor home, then erase the screen.
const clearScreen = "\x1b[H\x1b[2J"

// top writes the program's tasks every interval, n times (0: until ctx
// ends), each time with a summary of every loop above its table. On a
// terminal each refresh replaces the last, as top's do; into a pipe or a
// file they follow one another, separated by a blank line.
func top(ctx context.Context, e *endpoint, w io.Writer, interval time.Duration, n int) error {
	if interval <= 0 {
		return fmt.Errorf("-interval %v: want a positive duration", interval)
	}
	tty := isTerminal(w)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; n == 0 || i < n; i++ {
		select {
		case <-ctx.Done():
			return nil // interrupted: the way top ends
		case <-timer.C:
		}
		p, snaps, err := e.snapshots(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		var b strings.Builder
		switch {
		case tty:
			b.WriteString(clearScreen)
		case i > 0:
			b.WriteString("\n")
		}
		writeTop(&b, p, snaps, interval)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
		timer.Reset(interval)
	}
	return nil
}

// writeTop writes one refresh of top.
func writeTop(b *strings.Builder, p *process, snaps []*asyncio.Snapshot, interval time.Duration) {
	fmt.Fprintf(b, "asyncio top: %s (pid %d), %s, every %v\n", p.Program, p.PID, time.Now().Format(time.TimeOnly), interval)
	if len(snaps) == 0 {
		b.WriteString("no asyncio loop is open\n")
	}
	for _, s := range snaps {
		b.WriteString("\n")
		states := map[string]int{}
		for _, t := range s.Tasks {
			states[t.State]++
		}
		fmt.Fprintf(b, "lag: worst %v in the last %v, %v ever (%d timers)\n", roundLag(worstSince(s, lagWindow)), lagWindow, roundLag(s.Lag.Max), s.Lag.Count)
		switch n := len(s.Stalls); n {
		case 0:
			b.WriteString("slow steps: none\n")
		default:
			st := s.Stalls[0]
			fmt.Fprintf(b, "slow steps: %d, the slowest %v in %s\n", n, st.Duration.Round(time.Millisecond), stallCulprit(st))
		}
		s.WriteTable(b)
	}
}

// worstSince is the worst lag of the seconds of s.Lag.Recent within d of
// the snapshot.
func worstSince(s *asyncio.Snapshot, d time.Duration) time.Duration {
	var worst time.Duration
	for _, r := range s.Lag.Recent {
		if r.At >= s.Time-d {
			worst = max(worst, r.Max)
		}
	}
	return worst
}

// roundLag rounds a lag to the digits worth reading.
func roundLag(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// stallCulprit names what a stall ran.
func stallCulprit(s asyncio.Stall) string {
	switch {
	case s.Task != "":
		return fmt.Sprintf("task %s (#%d)", s.Task, s.TaskID)
	case s.Callback != "":
		return "callback " + s.Callback
	}
	return "a callback"
}

// isTerminal reports whether w is a terminal, where top redraws in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
