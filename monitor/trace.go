package monitor

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
)

// Bounds of a trace's length: a trace holds its events in memory until it
// ends, and times every step meanwhile.
const (
	defaultTraceSeconds = 5
	maxTraceSeconds     = 60
)

// serveTrace records a trace of a loop for the seconds asked and serves it
// in the Chrome trace event format.
//
// The status and headers go out as soon as the trace has started, and the
// events when it ends: a client knows at once whether it got the trace,
// and the events are written straight from the loop's record to the
// connection. If the client goes away, or the server closes, before the
// time is up, the trace is stopped and dropped.
func serveTrace(w http.ResponseWriter, r *http.Request) {
	l, ok := lookupLoop(w, r)
	if !ok {
		return
	}
	d, err := traceDuration(r.URL.Query().Get("seconds"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	out := &traceWriter{w: w}
	if err := l.StartTrace(out); err != nil {
		if errors.Is(err, asyncio.ErrTracing) {
			writeError(w, http.StatusConflict, fmt.Errorf("loop %d is being traced already; try again when that trace ends", l.ID()))
		} else {
			writeError(w, http.StatusInternalServerError, err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="asyncio-loop%d-trace.json"`, l.ID()))
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()

	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		l.StopTrace() // an error is the client's connection failing
	case <-r.Context().Done():
		// The client went away, or the server is closing: stop the
		// trace, drop its events, and abort the response, so that a
		// client still reading sees it cut short rather than empty.
		out.drop = true
		l.StopTrace()
		panic(http.ErrAbortHandler)
	}
}

// A traceWriter passes a trace on to the response unless it is to be
// dropped. StopTrace writes from the goroutine that calls it, the
// request's, the one that sets drop: it needs no lock.
type traceWriter struct {
	w    io.Writer
	drop bool
}

var errDropped = errors.New("trace dropped")

func (t *traceWriter) Write(p []byte) (int, error) {
	if t.drop {
		return 0, errDropped
	}
	return t.w.Write(p)
}

// traceDuration reads the seconds parameter of a trace: a positive number
// of seconds, fractions allowed, at most maxTraceSeconds.
func traceDuration(v string) (time.Duration, error) {
	if v == "" {
		return defaultTraceSeconds * time.Second, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(secs) || secs <= 0 || secs > maxTraceSeconds {
		return 0, fmt.Errorf("seconds=%q: want a number of seconds above 0 and at most %d", v, maxTraceSeconds)
	}
	return time.Duration(secs * float64(time.Second)), nil
}
