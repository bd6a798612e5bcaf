package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/monitor"
)

// The endpoint's handler on a server of the program's own: a snapshot of
// the loop, fetched while its main task waits for the request (off the
// loop, on the executor) and a worker sleeps.
func ExampleHandler() {
	srv := httptest.NewServer(monitor.Handler())
	defer srv.Close()
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		worker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.Sleep(ctx, time.Hour)
		}, asyncio.Name("worker"))
		defer worker.Cancel()
		url := srv.URL + "/loops/" + strconv.FormatUint(asyncio.RunningLoop(ctx).ID(), 10)
		snap, err := asyncio.ToThread(ctx, func() (*asyncio.Snapshot, error) {
			resp, err := http.Get(url)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			var s asyncio.Snapshot
			return &s, json.NewDecoder(resp.Body).Decode(&s)
		})
		if err != nil {
			return struct{}{}, err
		}
		for _, t := range snap.Tasks {
			fmt.Println(t.Name, t.State, t.Wait)
		}
		return struct{}{}, nil
	})
	// Output:
	// main waiting executor
	// worker waiting Sleep
}
