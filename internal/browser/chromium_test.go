package browser_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/browser"
)

// TestChromiumRunsScript serves a page whose script reports back, and
// waits for the report: the browser loaded the page and ran its script.
func TestChromiumRunsScript(t *testing.T) {
	reports := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			io.WriteString(w, `<!doctype html><title>t</title><script>
fetch("/report", {method: "POST", body: "script ran: " + (6 * 7)});
</script>`)
		case "/report":
			body, _ := io.ReadAll(r.Body)
			select {
			case reports <- string(body):
			default:
			}
		}
	}))
	t.Cleanup(srv.Close)
	if err := browser.Chromium(t, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-reports:
		if want := "script ran: 42"; got != want {
			t.Errorf("the page reported %q, want %q", got, want)
		}
	case <-time.After(browser.Timeout):
		t.Fatalf("the page did not report within %v", browser.Timeout)
	}
}
