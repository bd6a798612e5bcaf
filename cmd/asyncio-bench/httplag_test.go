package main

import (
	"testing"
	"time"
)

// TestHTTPLag runs the http-lag workload small, against both servers, and
// checks that every request succeeded and the ticker ticked: the lateness
// figures themselves depend on the machine and are not asserted.
func TestHTTPLag(t *testing.T) {
	for _, tc := range []struct {
		server       string
		limit, batch int
	}{{"aiohttp", 10, 0}, {"nethttp", 0, 50}} {
		t.Run(tc.server, func(t *testing.T) {
			out, err := httpLag(httpLagConfig{n: 200, limit: tc.limit, server: tc.server, tick: time.Millisecond, batch: tc.batch})
			if err != nil {
				t.Fatal(err)
			}
			if out["ok"] != 200 || out["failed"] != 0 {
				t.Errorf("ok %v, failed %v (first error %v), want 200 and 0", out["ok"], out["failed"], out["first_error"])
			}
			if out["ticks"].(int) == 0 {
				t.Error("the ticker never ticked")
			}
			for _, k := range []string{"tick_late_max_ms", "tick_late_p99_ms", "loop_lag_max_ms", "elapsed_ms"} {
				if _, ok := out[k].(float64); !ok {
					t.Errorf("%s missing from %v", k, out)
				}
			}
		})
	}
	if _, err := httpLag(httpLagConfig{n: 1, server: "other"}); err == nil {
		t.Error("an unknown -server was accepted")
	}
}
