package http1

import (
	"net/url"
	"strings"
)

// URL parses the request-target as net/http's ReadRequest does, so that
// requests are understood as the standard library understands them: an
// authority-form target is accepted only for CONNECT. It allocates, and is
// meant for the step that builds an http.Request.
func (r *Request) URL() (*url.URL, error) {
	target := string(r.Target)
	authority := string(r.Method) == "CONNECT" && !strings.HasPrefix(target, "/")
	if authority {
		target = "http://" + target
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, err
	}
	if authority {
		u.Scheme = ""
	}
	return u, nil
}
