package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"github.com/asyncio-go/asyncio/internal/servicetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// childEnv marks a process started by TestDemo as one of the roles: the
// test binary runs the program's command line instead of the tests.
const childEnv = "JOBSWEB_TEST_ROLE"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := cli(os.Args[1:], os.Stdout, command{}); err != nil {
			os.Stderr.WriteString("jobsweb: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	leakcheck.Main(m)
}

func natsURL(t *testing.T) string {
	return servicetest.URL(t, "NATS_URL", "nats://127.0.0.1:4222", "NATS server with JetStream")
}

// queueName returns a queue no other run uses; cleanup deletes what is
// left of it.
func queueName(t *testing.T, u string) string {
	var b [4]byte
	rand.Read(b[:])
	queue := "example-jobsweb-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if nc, err := nats.Connect(u); err == nil {
			for _, s := range []string{queue, queue + "_dead", queue + "_later", queue + "_later_dead", "KV_" + queue + "_results"} {
				nc.Request("$JS.API.STREAM.DELETE."+s, nil, 5*time.Second)
			}
			nc.Close()
		}
	})
	return queue
}

// TestDemo runs the program as `go run` does: the web role and the
// worker in processes of their own (this test binary, started again),
// and checks its output to the letter, then that it deleted its queue.
func TestDemo(t *testing.T) {
	u := natsURL(t)
	queue := queueName(t, u)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = demo(&out, command{path: self, env: append(os.Environ(), childEnv+"=1")}, u, queue)
	if err != nil {
		t.Fatalf("demo: %v\noutput:\n%s", err, out.String())
	}
	const want = `== the web role runs; no worker yet
POST /thumbnails {"url": "https://example.com/photos/cat.png"}
  -> 202 {"id":"thumb-da165d6a5a757b4c","status":"queued"}
POST /thumbnails {"url": "https://example.com/photos/dog.jpg", "size": 128}
  -> 202 {"id":"thumb-92b5f3325850146d","status":"queued"}
POST /thumbnails {"url": "https://example.com/notes.txt"}
  -> 202 {"id":"thumb-3f57980aae32c73f","status":"queued"}
POST /thumbnails {"url": "https://example.com/photos/cat.png"}
  -> 202 {"id":"thumb-da165d6a5a757b4c","status":"queued"}
POST /thumbnails {"url": "not a URL"}
  -> 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the request does not fit the operation","errors":[{"location":"body.url","message":"must be a URL"}]}
GET /thumbnails/thumb-da165d6a5a757b4c
  -> 202 {"id":"thumb-da165d6a5a757b4c","status":"pending"}
== a worker runs
GET /thumbnails/thumb-da165d6a5a757b4c?wait=10
  -> 200 {"id":"thumb-da165d6a5a757b4c","status":"done","thumbnail":{"url":"https://example.com/photos/cat.png","width":64,"height":64,"digest":"d0f23f813a162473"}}
GET /thumbnails/thumb-92b5f3325850146d?wait=10
  -> 200 {"id":"thumb-92b5f3325850146d","status":"done","thumbnail":{"url":"https://example.com/photos/dog.jpg","width":128,"height":128,"digest":"f2f9fb7316ff4a0d"}}
GET /thumbnails/thumb-3f57980aae32c73f?wait=10
  -> 200 {"id":"thumb-3f57980aae32c73f","status":"failed","error":"https://example.com/notes.txt does not name an image"}
== SIGTERM to both
web: stopped
worker: stopped after 3 jobs
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}

	nc, err := nats.Connect(u)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range []string{queue, queue + "_dead", queue + "_later", "KV_" + queue + "_results"} {
		if _, err := js.Stream(ctx, s); !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Errorf("stream %s after the demo: %v, want it deleted", s, err)
		}
	}
}

// TestNetHTTPClient runs the web role and a worker on a loop of their
// own and talks to the web role with net/http's client, a peer this
// module did not write.
func TestNetHTTPClient(t *testing.T) {
	u := natsURL(t)
	queue := queueName(t, u)
	addrs := make(chan string, 1)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				asyncio.Recv(ctx, stop)
				cancel()
				return struct{}{}, nil
			})
			return struct{}{}, asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error {
					return serveWeb(ctx, u, queue, "127.0.0.1:0", func(addr string) { addrs <- addr })
				})
				g.Go(func(ctx context.Context) error {
					_, err := work(ctx, u, queue, func() {})
					return err
				})
				return nil
			})
		})
		done <- err
	}()
	var base string
	select {
	case addr := <-addrs:
		base = "http://" + addr
	case err := <-done:
		t.Fatalf("the roles ended before serving: %v", err)
	}
	defer func() {
		close(stop)
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("the roles: %v", err)
		}
	}()

	hc := &http.Client{Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	do := func(method, path, body string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	decode := func(body string) JobStatus {
		t.Helper()
		var st JobStatus
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("%v in %q", err, body)
		}
		return st
	}

	req := ThumbnailRequest{URL: "https://example.org/a/b/sunset.jpeg", Size: 32}
	resp, body := do("POST", "/thumbnails", `{"url": "https://example.org/a/b/sunset.jpeg", "size": 32}`)
	st := decode(body)
	if resp.StatusCode != http.StatusAccepted || st.Status != "queued" || st.ID != jobID(req) {
		t.Fatalf("POST: %s %s, want 202 queued with id %s", resp.Status, body, jobID(req))
	}
	loc := resp.Header.Get("Location")
	if loc != "/thumbnails/"+st.ID {
		t.Errorf("Location %q, want /thumbnails/%s", loc, st.ID)
	}
	if resp, body := do("POST", "/thumbnails", `{"url": "https://example.org/a/b/sunset.jpeg", "size": 32}`); decode(body).ID != st.ID {
		t.Errorf("the same POST again: %s %s, want the id %s", resp.Status, body, st.ID)
	}

	resp, body = do("GET", loc+"?wait=20", "")
	want, _ := makeThumbnail(context.Background(), req)
	got := decode(body)
	if resp.StatusCode != http.StatusOK || got.Status != "done" || got.Thumbnail == nil || *got.Thumbnail != want {
		t.Errorf("GET %s: %s %s, want 200 done with %+v", loc, resp.Status, body, want)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}

	// A job no one enqueued never ends: the look ends pending.
	resp, body = do("GET", "/thumbnails/thumb-0000000000000000", "")
	if resp.StatusCode != http.StatusAccepted || decode(body).Status != "pending" {
		t.Errorf("GET of an unknown job: %s %s, want 202 pending", resp.Status, body)
	}
	resp, body = do("GET", "/thumbnails/no%20such%20id", "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of a malformed id: %s %s, want 404", resp.Status, body)
	}
	resp, body = do("POST", "/thumbnails", `{"url": "https://example.org/x.png", "size": 4}`)
	if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Content-Type") != "application/problem+json" ||
		!strings.Contains(body, `"location":"body.size"`) {
		t.Errorf("POST with a size too small: %s %s %s, want a 422 problem at body.size", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	resp, body = do("POST", "/thumbnails", `{"url": `)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST of broken JSON: %s %s, want 400", resp.Status, body)
	}
}
