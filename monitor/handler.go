package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
)

// answerTimeout bounds how long a request waits for a loop to answer a
// snapshot. A loop the watchdog sees blocked is not waited for at all
// (Loop.Snapshot returns its last answer at once); this is for a loop
// blocked before the watchdog noticed, or running without one.
const answerTimeout = time.Second

// Handler returns the endpoint's HTTP handler, for a program that would
// rather serve it on a server of its own, under a prefix of its choice:
//
//	mux.Handle("/debug/asyncio/", http.StripPrefix("/debug/asyncio", monitor.Handler()))
//
// The page refers to the JSON endpoints by relative paths, so it works
// under any prefix. The handler does not check who is asking: serving it
// beyond the loopback interface shows task names and stacks to anyone.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", servePage)
	mux.Handle("GET /static/", http.FileServerFS(pageFiles))
	mux.HandleFunc("GET /loops", serveLoops)
	mux.HandleFunc("GET /loops/{id}", serveSnapshot)
	mux.HandleFunc("GET /loops/{id}/trace", serveTrace)
	return mux
}

// Process is what GET /loops serves: the process and its open loops.
type Process struct {
	PID     int           `json:"pid"`
	Program string        `json:"program"` // the base name of the executable
	Loops   []LoopSummary `json:"loops"`
}

// LoopSummary sums up one loop of a Process, from a snapshot of it.
type LoopSummary struct {
	ID      uint64         `json:"id"`
	Running bool           `json:"running"` // a goroutine runs it now
	Tasks   int            `json:"tasks"`
	States  map[string]int `json:"states"`            // the tasks counted by TaskInfo.State
	Stale   bool           `json:"stale,omitempty"`   // the loop did not answer: see Snapshot.Stale
	Blocked bool           `json:"blocked,omitempty"` // a step is blocking it: see Snapshot.Blocked
	Cycles  int            `json:"cycles"`            // await cycles among its tasks
	Stalls  int            `json:"stalls"`            // steps the watchdog caught
	LagMax  time.Duration  `json:"lagMax"`            // the latest a timer of it fired
}

// serveLoops serves the list of loops.
func serveLoops(w http.ResponseWriter, r *http.Request) {
	p := Process{PID: os.Getpid(), Program: filepath.Base(os.Args[0]), Loops: []LoopSummary{}}
	for _, l := range asyncio.Loops() {
		s, err := snapshot(r.Context(), l)
		if err != nil {
			// The loop closed meanwhile, or the client went away.
			continue
		}
		sum := LoopSummary{
			ID:      l.ID(),
			Running: l.IsRunning(),
			Tasks:   len(s.Tasks),
			States:  map[string]int{},
			Stale:   s.Stale,
			Blocked: s.Blocked != nil,
			Cycles:  len(s.Cycles),
			Stalls:  len(s.Stalls),
			LagMax:  s.Lag.Max,
		}
		for _, t := range s.Tasks {
			sum.States[t.State]++
		}
		p.Loops = append(p.Loops, sum)
	}
	writeJSON(w, http.StatusOK, p)
}

// serveSnapshot serves a snapshot of one loop.
func serveSnapshot(w http.ResponseWriter, r *http.Request) {
	l, ok := lookupLoop(w, r)
	if !ok {
		return
	}
	var opts []asyncio.SnapshotOption
	if stacks, err := boolParam(r, "stacks"); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	} else if stacks {
		opts = append(opts, asyncio.WithStacks())
	}
	s, err := snapshot(r.Context(), l, opts...)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// snapshot takes a snapshot of l, waiting for the loop at most
// answerTimeout.
func snapshot(ctx context.Context, l *asyncio.Loop, opts ...asyncio.SnapshotOption) (*asyncio.Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	return l.Snapshot(ctx, opts...)
}

// lookupLoop finds the open loop the path's {id} names, or answers the
// request with an error.
func lookupLoop(w http.ResponseWriter, r *http.Request) (*asyncio.Loop, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("loop id %q is not a number", r.PathValue("id")))
		return nil, false
	}
	for _, l := range asyncio.Loops() {
		if l.ID() == id {
			return l, true
		}
	}
	writeError(w, http.StatusNotFound, fmt.Errorf("no open loop %d", id))
	return nil, false
}

// boolParam reads a query parameter meant as a flag: absent is false,
// present and empty ("?stacks") is true.
func boolParam(r *http.Request, name string) (bool, error) {
	q := r.URL.Query()
	if !q.Has(name) {
		return false, nil
	}
	v := q.Get(name)
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want 1 or 0", name, v)
	}
	return b, nil
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	// A monitor shows the present: a cached answer would be a lie.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) // a failure here is the client's connection failing
}

// writeError answers with {"error": err} and status.
func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
