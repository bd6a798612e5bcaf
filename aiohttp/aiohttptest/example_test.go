package aiohttptest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/aiohttptest"
)

// A handler that waits a day for a report answers at once in real time,
// a day later on the virtual clock. A test would run the body with
// asynciotest.Run, which makes the loop and its clock; here asyncio.Run
// does, with a virtual clock of its own.
func ExampleNewServer() {
	report := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := asyncio.Sleep(r.Context(), 24*time.Hour); err != nil {
			return // the client gave up
		}
		fmt.Fprintln(w, "report for", r.URL.Query().Get("day"))
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv := aiohttptest.NewServer(ctx, report)
		defer srv.Close(ctx)
		resp, err := srv.Session().Get(ctx, srv.URL+"/report?day=monday",
			aiohttp.Timeout(aiohttp.ClientTimeout{Total: 48 * time.Hour}))
		if err != nil {
			return struct{}{}, err
		}
		body, err := resp.Text(ctx)
		fmt.Print(resp.StatusCode, " ", body)
		fmt.Println("after", asyncio.RunningLoop(ctx).Time())
		return struct{}{}, err
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 200 report for monday
	// after 24h0m0s
}
