package peer_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// TestChromiumRunsScript serves a page whose script reports back, and
// waits for the report: the browser loaded the page and ran its script.
func TestChromiumRunsScript(t *testing.T) {
	reports := make(chan string, 1)
	srv := newStandIn(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			io.WriteString(w, `<!doctype html><title>t</title><script>
fetch("/report", {method: "POST", body: "ran in " + (navigator.webdriver ? "automation" : "a browser") + ", " + (6 * 7)});
</script>`)
		case "/report":
			body, _ := io.ReadAll(r.Body)
			select {
			case reports <- string(body):
			default:
			}
		}
	}, nil)
	if err := peer.Chromium(t, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-reports:
		if want := "ran in a browser, 42"; got != want && got != "ran in automation, 42" {
			t.Errorf("the page reported %q, want %q", got, want)
		}
	case <-time.After(peer.Timeout):
		t.Fatalf("the page did not report within %v", peer.Timeout)
	}
}
