package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun plays the program's client on a virtual clock: the sleeps, the
// parallel calls and the email take their time in it, exactly, at once.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `GET / -> 200 (0s) {"message":"Hello World"}
GET /delay/1 -> 200 (1s) {"message":"Waited 1 seconds"}
GET /fetch -> 200 (0s) {"slideshow":{"author":"Yours Truly","title":"Sample Slide Show"}}
GET /parallel -> 200 (2s) {"results":[{"delay":1},{"delay":2},{"slideshow":{"author":"Yours Truly","title":"Sample Slide Show"}}]}
POST /send-notification?email=ann@example.com&message=hi -> 200 (0s) {"status":"notification queued"}
GET /users/1 -> 200 (0s) {"id":1,"name":"Ann","email":"ann@example.com"}
GET /users/99 -> 404 (0s) {"type":"about:blank","title":"Not Found","status":404,"detail":"User not found"}
POST /users -> 201 (0s) {"id":3,"name":"Cy","email":"cy@example.com"}
POST /users -> 422 (0s) {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the request does not fit the operation","errors":[{"location":"body.name","message":"is required"},{"location":"body.email","message":"must be an email address"}]}
GET /delay/100 -> 422 (0s) {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the request does not fit the operation","errors":[{"location":"path.seconds","message":"must be at most 60"}]}
ws: ann hears "Broadcast: hello from ann"
ws: bo hears "Broadcast: hello from ann"
 8.0s  email sent to ann@example.com: hi
shut down
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
