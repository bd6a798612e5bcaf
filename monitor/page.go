package monitor

import (
	"embed"
	"io/fs"
	"net/http"
)

// The monitor page is plain HTML, CSS and JavaScript, with nothing to
// build and nothing fetched from elsewhere: it works on a machine with no
// network beyond the loopback, and what it runs can be read in page/.
//
//go:embed page
var embedded embed.FS

// pageFiles are the page's files: index.html, and what it loads under
// static/.
var pageFiles, _ = fs.Sub(embedded, "page")

// servePage serves the monitor page.
func servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, pageFiles, "index.html")
}
