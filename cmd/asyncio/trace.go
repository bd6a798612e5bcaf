package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// trace records a Chrome trace of one loop of the program for seconds
// and writes it to the file out, or to stdout if out is "-".
func trace(ctx context.Context, e *endpoint, stdout, stderr io.Writer, seconds float64, out string, loop uint64) error {
	if !(seconds > 0 && seconds <= 60) {
		return fmt.Errorf("-seconds %v: want a number of seconds above 0 and at most 60", seconds)
	}
	var p process
	if err := e.getJSON(ctx, "/loops", &p); err != nil {
		return err
	}
	if loop == 0 {
		if len(p.Loops) == 0 {
			return fmt.Errorf("no asyncio loop is open in %s (pid %d)", p.Program, p.PID)
		}
		loop = p.Loops[0].ID
	}
	secs := strconv.FormatFloat(seconds, 'g', -1, 64)
	// The endpoint answers once the trace has started and sends the
	// events when it ends; leave it some slack past that.
	d := time.Duration(seconds*float64(time.Second)) + snapshotTimeout
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	resp, err := e.get(ctx, fmt.Sprintf("/loops/%d/trace?seconds=%s", loop, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(stderr, "tracing loop %d of %s (pid %d) for %ss...\n", loop, p.Program, p.PID, secs)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: reading the trace: %w", e.name, err)
	}
	var t struct {
		TraceEvents []json.RawMessage `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return fmt.Errorf("%s: the trace is not valid JSON (did the program exit?): %w", e.name, err)
	}
	if out == "-" {
		_, err = stdout.Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d events; open it at https://ui.perfetto.dev or in chrome://tracing\n", out, len(t.TraceEvents))
	return nil
}
