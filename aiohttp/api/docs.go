package api

import (
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/asyncio-go/asyncio/aiohttp/api/internal/docsui"
)

// Title sets the API's title in the OpenAPI document ("API" by
// default) and on its docs page.
func Title(s string) Option { return func(c *config) { c.title = s } }

// Version sets the API's version in the OpenAPI document, "0.1.0" by
// default: the version of the API, not of OpenAPI.
func Version(s string) Option { return func(c *config) { c.version = s } }

// Overview sets the description of the whole API in the OpenAPI
// document, in CommonMark; the docs page shows it under the title.
func Overview(s string) Option { return func(c *config) { c.overview = s } }

// OpenAPIPath sets the path where the App serves its OpenAPI document,
// "/openapi.json" by default; "" serves none, and no docs page either.
func OpenAPIPath(p string) Option { return func(c *config) { c.openAPIPath = p } }

// DocsPath sets the path of the App's docs page, "/docs" by default,
// which shows the OpenAPI document with Swagger UI and lets one call
// its operations; "" serves none. The page's scripts and styles are
// served below it (/docs/5.36.0/swagger-ui.css), from the module, so
// that the page works offline.
func DocsPath(p string) Option { return func(c *config) { c.docsPath = p } }

// A spec is the document the App serves, made on its first request:
// operations are registered after New, and before the App serves.
// Operations registered after that are not in it.
type spec struct {
	once sync.Once
	json []byte
}

func (s *spec) get(a *App) []byte {
	s.once.Do(func() { s.json = a.OpenAPI() })
	return s.json
}

// serveDocs registers the handlers of the document and the page.
func (a *App) serveDocs() {
	doc := a.cfg.openAPIPath
	if doc == "" {
		return
	}
	a.mux.HandleFunc("GET "+doc, func(w http.ResponseWriter, r *http.Request) {
		body := a.spec.get(a)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
	page := strings.TrimSuffix(a.cfg.docsPath, "/")
	if page == "" {
		return
	}
	// The page refers to the document and its assets by relative URLs,
	// which still hold when the App is mounted below a prefix.
	base := path.Base(page)
	html := docsui.Page(a.cfg.title, base+"/"+docsui.Version, relative(path.Dir(page), doc))
	a.mux.HandleFunc("GET "+page, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(html)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(html)
		}
	})
	a.mux.HandleFunc("GET "+page+"/"+docsui.Version+"/{file}", func(w http.ResponseWriter, r *http.Request) {
		docsui.ServeAsset(w, r, r.PathValue("file"))
	})
}

// relative returns the URL of the path target relative to a page in
// the folder dir.
func relative(dir, target string) string {
	from := strings.Split(strings.Trim(dir, "/"), "/")
	to := strings.Split(strings.TrimPrefix(target, "/"), "/")
	if from[0] == "" {
		from = nil
	}
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	return strings.Repeat("../", len(from)-i) + strings.Join(to[i:], "/")
}
