package aiohttp

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unsafe"

	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// localAddrKey is where net/http's handlers find the local address.
var localAddrKey = http.LocalAddrContextKey

// field is a header field as offsets into an exchange's head.
type field struct{ name, nameEnd, value, valueEnd int32 }

// exchange is one request and its response on a connection. A connection
// keeps one and reuses it from request to request.
type exchange struct {
	// head is a copy of the request's head: every string of the
	// http.Request is a substring of it, one allocation for them all.
	head string
	// mem, if not nil, holds head's bytes and the rest of what request
	// allocates, until request takes it.
	mem        *requestMem
	method     string
	target     string
	protoMinor int
	fields     []field
	framing    http1.BodyFraming
	keepAlive  bool
	expect     bool // Expect: 100-continue
	host       string
	nhost      int

	body *body
	resp response
}

// start takes the head c just parsed (n bytes at c.buf[c.r0:]) into x and
// consumes it. It returns the status with which to refuse the request, or 0.
func (x *exchange) start(c *conn, n int) int {
	p := &c.parsed
	raw := c.buf[c.r0 : c.r0+n]
	off := func(b []byte) int32 { return int32(cap(raw) - cap(b)) }
	x.mem, x.head = newRequestMem(raw)
	ms, me := off(p.Method), off(p.Method)+int32(len(p.Method))
	ts, te := off(p.Target), off(p.Target)+int32(len(p.Target))
	x.method = internMethod(x.head[ms:me])
	x.target = x.head[ts:te]
	x.protoMinor = p.ProtoMinor
	x.fields = x.fields[:0]
	x.keepAlive = p.ProtoMinor == 1
	x.expect = false
	x.host, x.nhost = "", 0
	for _, h := range p.Headers {
		f := field{off(h.Name), off(h.Name) + int32(len(h.Name)), off(h.Value), off(h.Value) + int32(len(h.Value))}
		x.fields = append(x.fields, f)
		name, value := x.head[f.name:f.nameEnd], x.head[f.value:f.valueEnd]
		switch {
		case strings.EqualFold(name, "Connection"):
			for tok := range strings.SplitSeq(value, ",") {
				tok = strings.TrimSpace(tok)
				if strings.EqualFold(tok, "close") {
					x.keepAlive = false
				} else if strings.EqualFold(tok, "keep-alive") && p.ProtoMinor == 0 {
					x.keepAlive = true
				}
			}
		case strings.EqualFold(name, "Expect"):
			if !strings.EqualFold(value, "100-continue") {
				// net/http refuses expectations it cannot meet with 417.
				return http.StatusExpectationFailed
			}
			// Only an HTTP/1.1 request with a body gets its 100 Continue.
			x.expect = p.ProtoMinor == 1
		case strings.EqualFold(name, "Host"):
			x.host = value
			x.nhost++
		}
	}
	framing, err := p.BodyFraming()
	if err != nil {
		if err == http1.ErrBadTransferEncoding && p.ProtoMinor == 1 {
			return http.StatusNotImplemented
		}
		return http.StatusBadRequest
	}
	// HTTP/1.1 requires a Host (the parser refuses two); HTTP/1.0 allows none.
	if x.nhost == 0 && p.ProtoMinor == 1 {
		return http.StatusBadRequest
	}
	x.framing = framing
	if framing.Kind == http1.NoBody {
		x.expect = false
	}
	c.r0 += n
	x.body = nil
	if framing.Kind != http1.NoBody {
		x.body = &body{c: c, kind: framing.Kind, left: framing.Length}
		x.body.dec.Limits = c.srv.cfg.limits
	}
	return 0
}

// taskName is "METHOD /path", the request line without its query, a
// substring of the head (the method and target are separated by one space).
func (x *exchange) taskName() string {
	end := len(x.method) + 1 + len(x.target)
	if i := strings.IndexByte(x.target, '?'); i >= 0 {
		end = len(x.method) + 1 + i
	}
	return x.head[:end]
}

// internMethod returns the common methods as constants, sparing their
// substring from keeping the head alive.
func internMethod(m string) string {
	switch m {
	case "GET":
		return http.MethodGet
	case "POST":
		return http.MethodPost
	case "HEAD":
		return http.MethodHead
	case "PUT":
		return http.MethodPut
	case "DELETE":
		return http.MethodDelete
	}
	return m
}

// request builds the http.Request of x, with ctx as its context.
func (x *exchange) request(ctx context.Context, c *conn) (*http.Request, error) {
	// One allocation for the URL, the values of the usual few fields and,
	// for a head of usual size, the head.
	a := x.mem
	if a == nil {
		a = new(requestMem)
	}
	x.mem = nil
	u := &a.url
	if !simpleTarget(x.target, u) {
		var err error
		if u, err = parseTarget(x.method, x.target); err != nil {
			return nil, err
		}
	}
	h := make(http.Header, len(x.fields))
	// One backing array for the values of every field; each key's slice
	// takes one element of it, capped so that an append cannot spill over.
	vals := a.vals[:]
	if len(x.fields) > len(vals) {
		vals = make([]string, len(x.fields))
	}
	for i, f := range x.fields {
		name := x.head[f.name:f.nameEnd]
		key := canonicalKey(name)
		v := x.head[f.value:f.valueEnd]
		if old, ok := h[key]; ok {
			h[key] = append(old, v)
			continue
		}
		vals[i] = v
		h[key] = vals[i : i+1 : i+1]
	}
	r := http.Request{
		Method:     x.method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: x.protoMinor,
		Header:     h,
		Body:       http.NoBody,
		Host:       x.host,
		RemoteAddr: c.remoteAddr,
		RequestURI: x.target,
		TLS:        c.t.TLS(),
		Close:      !x.keepAlive,
	}
	if x.protoMinor == 0 {
		r.Proto = "HTTP/1.0"
	}
	// As in net/http, an absolute-form target's host wins over Host.
	if u.Host != "" {
		r.Host = u.Host
	}
	// net/http moves Host to r.Host.
	delete(h, "Host")
	if x.body != nil {
		x.body.ctx = ctx
		r.Body = x.body
		switch x.framing.Kind {
		case http1.ContentLength:
			r.ContentLength = x.framing.Length
		case http1.Chunked:
			r.ContentLength = -1
			r.TransferEncoding = []string{"chunked"}
			delete(h, "Transfer-Encoding")
			if decl := h["Trailer"]; len(decl) > 0 {
				r.Trailer = make(http.Header)
				for _, v := range decl {
					for k := range strings.SplitSeq(v, ",") {
						if k = strings.TrimSpace(k); k != "" {
							r.Trailer[http.CanonicalHeaderKey(k)] = nil
						}
					}
				}
				delete(h, "Trailer")
			}
		}
	}
	rr := r.WithContext(ctx)
	if x.body != nil {
		x.body.req = rr
	}
	return rr, nil
}

// parseTarget parses a request-target as net/http's ReadRequest does: an
// authority-form target is accepted only for CONNECT.
func parseTarget(method, target string) (*url.URL, error) {
	authority := method == "CONNECT" && !strings.HasPrefix(target, "/")
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

// canonicalKey is http.CanonicalHeaderKey without an allocation for a name
// that is already canonical, as clients send them.
func canonicalKey(name string) string {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return http.CanonicalHeaderKey(name)
		}
		upper = c == '-'
	}
	return name
}

// requestMem holds what a request needs besides the http.Request itself,
// allocated in one piece: its URL and the values of its first fields.
// newRequestMem allocates it with the head's bytes when they fit.
type requestMem struct {
	url  url.URL
	vals [6]string
}

// requestMemSmall and requestMemLarge are a requestMem with room for a
// head: 384 and 1024 bytes, size classes of the allocator (see the test).
type (
	requestMemSmall struct {
		requestMem
		head [144]byte
	}
	requestMemLarge struct {
		requestMem
		head [784]byte
	}
)

// newRequestMem returns the head raw as a string and, if the head fits in
// one, a requestMem whose allocation holds the string's bytes too.
func newRequestMem(raw []byte) (*requestMem, string) {
	switch {
	case len(raw) <= len(requestMemSmall{}.head):
		m := new(requestMemSmall)
		return &m.requestMem, headString(m.head[:], raw)
	case len(raw) <= len(requestMemLarge{}.head):
		m := new(requestMemLarge)
		return &m.requestMem, headString(m.head[:], raw)
	}
	return nil, string(raw)
}

// headString copies raw into buf, fresh memory, and returns the copy as a
// string. buf is never written again: the string is as immutable as one
// made by string(raw), and keeps the object of buf alive as long as some
// substring of it is.
func headString(buf, raw []byte) string {
	n := copy(buf, raw)
	return unsafe.String(unsafe.SliceData(buf), n)
}

// simpleTarget parses into u an origin-form target made only of characters
// that need no unescaping, as url.ParseRequestURI would, and reports
// whether it could; other targets take the general path.
func simpleTarget(target string, u *url.URL) bool {
	if len(target) == 0 || target[0] != '/' || len(target) > 1 && target[1] == '/' {
		return false
	}
	path, query, hasQuery := strings.Cut(target, "?")
	for i := 0; i < len(path); i++ {
		if !pathChar[path[i]] {
			return false
		}
	}
	if hasQuery && query == "" {
		return false // ForceQuery
	}
	u.Path, u.RawQuery = path, query
	return true
}

// pathChar holds the characters of a path that url.ParseRequestURI keeps
// as they are: unreserved, sub-delims, ':', '@' and '/'.
var pathChar = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~!$&'()*+,;=:@/" {
		t[c] = true
	}
	return t
}()
