package main

import (
	"context"
	"fmt"
	"io"
)

// ps writes a snapshot of each loop of the program as a table, or as a
// tree, one block per loop with a blank line between blocks.
func ps(ctx context.Context, e *endpoint, w io.Writer, tree bool) error {
	p, snaps, err := e.snapshots(ctx)
	if err != nil {
		return err
	}
	if len(snaps) == 0 {
		_, err := fmt.Fprintf(w, "no asyncio loop is open in %s (pid %d)\n", p.Program, p.PID)
		return err
	}
	for i, s := range snaps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if tree {
			err = s.WriteTree(w)
		} else {
			err = s.WriteTable(w)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
