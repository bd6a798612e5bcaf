// Package docsui serves the page that shows an OpenAPI document and
// lets one try its operations: Swagger UI (the npm package
// swagger-ui-dist), shipped inside the module so that the page works
// offline. README.md says which version, under what license, and how
// to update it.
//
// The large files are stored gzip-compressed, as most browsers take
// them; a client that does not is sent them decompressed.
package docsui

import (
	"bytes"
	"compress/gzip"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// Version is swagger-ui-dist's version. Assets are served under it, so
// that they can be cached for good: a new version is a new URL.
const Version = "5.36.0"

//go:embed assets
var assets embed.FS

var page = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Assets}}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-url="{{.Spec}}"></div>
<script src="{{.Assets}}/swagger-ui-bundle.js"></script>
<script src="{{.Assets}}/init.js"></script>
</body>
</html>
`))

// Page returns the HTML page titled title that shows the document at
// specURL, loading its assets from the folder URL assetsURL; both URLs
// may be relative to the page's.
func Page(title, assetsURL, specURL string) []byte {
	var b bytes.Buffer
	err := page.Execute(&b, struct{ Title, Assets, Spec string }{title, assetsURL, specURL})
	if err != nil {
		panic("docsui: " + err.Error()) // the template takes any strings
	}
	return b.Bytes()
}

// ServeAsset serves the asset name ("swagger-ui-bundle.js"), or a 404
// if there is none. The answer may be cached for a year: the URL names
// the version.
func ServeAsset(w http.ResponseWriter, r *http.Request, name string) {
	if name == "" || strings.Contains(name, "/") || strings.HasSuffix(name, ".gz") {
		http.NotFound(w, r)
		return
	}
	data, gz := read(name + ".gz")
	if !gz {
		data, _ = read(name)
	}
	if data == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "text/plain; charset=utf-8" // LICENSE, NOTICE
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	if gz {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
		} else {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				http.Error(w, "docsui: a broken asset", http.StatusInternalServerError)
				return
			}
			if data, err = io.ReadAll(zr); err != nil {
				http.Error(w, "docsui: a broken asset", http.StatusInternalServerError)
				return
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

func read(name string) ([]byte, bool) {
	data, err := fs.ReadFile(assets, "assets/"+name)
	return data, err == nil
}

// acceptsGzip reports whether Accept-Encoding values take gzip: named,
// or "*", without q=0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			if q, ok := strings.CutPrefix(q, "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}
