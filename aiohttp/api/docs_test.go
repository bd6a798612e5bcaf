package api_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/internal/browser"
)

func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestServeOpenAPIDocument(t *testing.T) {
	a := shop()
	w := get(t, a, "/openapi.json")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w.Body.String() != string(a.OpenAPI()) {
		t.Error("served a document other than OpenAPI()'s")
	}
	r := httptest.NewRequest("POST", "/openapi.json", nil)
	pw := httptest.NewRecorder()
	a.ServeHTTP(pw, r)
	if pw.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /openapi.json: %d", pw.Code)
	}
}

// The document is made on the first request: the operations are
// registered after New.
func TestServedDocumentHasLaterOperations(t *testing.T) {
	a := api.New()
	api.Get(a, "/late", func(ctx context.Context, in *noInput) (*Item, error) { return nil, nil })
	if body := get(t, a, "/openapi.json").Body.String(); !strings.Contains(body, `"/late"`) {
		t.Errorf("no /late in %s", body)
	}
}

func TestDocsPage(t *testing.T) {
	a := shop()
	w := get(t, a, "/docs")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	page := w.Body.String()
	if !strings.Contains(page, `data-url="openapi.json"`) || !strings.Contains(page, "<title>Shop</title>") {
		t.Errorf("page:\n%s", page)
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Errorf("the page loads from another site:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 3 {
		t.Fatalf("refs %v, want the stylesheet and two scripts", refs)
	}
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	for _, ref := range refs {
		// The references are relative to /docs: "docs/<version>/...".
		target := "/" + ref[1]
		plain := get(t, a, target)
		if plain.Code != http.StatusOK || plain.Header().Get("Content-Encoding") != "" || plain.Body.Len() < 100 {
			t.Errorf("%s: %d, encoding %q, %d bytes", target, plain.Code, plain.Header().Get("Content-Encoding"), plain.Body.Len())
		}
		for ext, ct := range types {
			if strings.HasSuffix(target, ext) && plain.Header().Get("Content-Type") != ct {
				t.Errorf("%s: Content-Type %q", target, plain.Header().Get("Content-Type"))
			}
		}
		if !strings.Contains(plain.Header().Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", target, plain.Header().Get("Cache-Control"))
		}
		zipped := get(t, a, target, "Accept-Encoding", "br, gzip")
		if strings.HasSuffix(target, "init.js") {
			continue // small, and stored as it is
		}
		if zipped.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: not sent gzipped to a client that takes it", target)
			continue
		}
		zr, err := gzip.NewReader(zipped.Body)
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil || string(unzipped) != plain.Body.String() {
			t.Errorf("%s: gzipped and plain differ (%v)", target, err)
		}
	}
	if w := get(t, a, "/docs/5.36.0/swagger-ui-bundle.js", "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that refused it")
	}
	if w := get(t, a, "/docs/5.36.0/nothing.js"); w.Code != http.StatusNotFound {
		t.Errorf("a missing asset: %d", w.Code)
	}
	if w := get(t, a, "/docs/5.36.0/swagger-ui-bundle.js.gz"); w.Code != http.StatusNotFound {
		t.Errorf("a stored name: %d", w.Code)
	}
}

func TestDocsPaths(t *testing.T) {
	a := api.New(api.OpenAPIPath("/api/v1/spec.json"), api.DocsPath("/help/docs"))
	if w := get(t, a, "/api/v1/spec.json"); w.Code != http.StatusOK {
		t.Errorf("moved document: %d", w.Code)
	}
	page := get(t, a, "/help/docs").Body.String()
	if !strings.Contains(page, `data-url="../api/v1/spec.json"`) || !strings.Contains(page, `href="docs/5.36.0/swagger-ui.css"`) {
		t.Errorf("moved page:\n%s", page)
	}
	if w := get(t, a, "/help/docs/5.36.0/init.js"); w.Code != http.StatusOK {
		t.Errorf("moved assets: %d", w.Code)
	}
	for _, path := range []string{"/openapi.json", "/docs"} {
		if w := get(t, a, path); w.Code != http.StatusNotFound {
			t.Errorf("%s still served: %d", path, w.Code)
		}
	}

	off := api.New(api.DocsPath(""))
	if w := get(t, off, "/docs"); w.Code != http.StatusNotFound {
		t.Errorf("/docs with DocsPath(\"\"): %d", w.Code)
	}
	if w := get(t, off, "/openapi.json"); w.Code != http.StatusOK {
		t.Errorf("/openapi.json without the page: %d", w.Code)
	}
	none := api.New(api.OpenAPIPath(""))
	if w := get(t, none, "/openapi.json"); w.Code != http.StatusNotFound {
		t.Errorf("/openapi.json with OpenAPIPath(\"\"): %d", w.Code)
	}
	if w := get(t, none, "/docs"); w.Code != http.StatusNotFound {
		t.Errorf("/docs without a document: %d", w.Code)
	}
}

// TestDocsPageInChromium loads /docs in a headless Chromium, offline as
// far as the page knows (all it loads is the App's), and checks that
// Swagger UI drew the shop's operations from the document.
func TestDocsPageInChromium(t *testing.T) {
	chromium := browser.Need(t)
	srv := httptest.NewServer(shop())
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Virtual time lets the page load its scripts and the document and
	// draw before the DOM is dumped, without a wall-clock wait here.
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=10000",
		"--dump-dom", srv.URL+"/docs")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	for _, want := range []string{
		`data-path="/items"`, `data-path="/items/{id}"`, `data-path="/login"`, `data-path="/files/{path}"`,
		`>Shop<`, `>List items<`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}
