package aiohttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// requestConfig is what the RequestOptions of one request say.
type requestConfig struct {
	header         http.Header
	query          url.Values
	body           func() (io.Reader, int64, string, error) // reader, length (-1 unknown), content type
	timeout        *ClientTimeout
	allowRedirects *bool
	maxRedirects   int // -1: the session's
	auth           func(*http.Request)
	// deadlines are fixed when the request starts, so that redirects
	// share the total.
	deadlines *deadlines
	// replay is the response to the request's first hop, which the
	// session sent itself, for the http.Client that follows its redirect
	// to take instead of sending the request again (see Session.clientDo).
	replay *http.Response
}

type requestOption func(*requestConfig)

func (o requestOption) applyRequest(c *requestConfig) { o(c) }

type requestConfigKey struct{}

// requestConfigOf returns the config a Session put in ctx, or an empty one
// for a request made through Transport by another client.
func requestConfigOf(ctx context.Context) *requestConfig {
	if rc, ok := ctx.Value(requestConfigKey{}).(*requestConfig); ok {
		return rc
	}
	return &requestConfig{maxRedirects: -1}
}

// bothOption is an Option: it configures a session and a request alike.
type bothOption struct {
	session func(*sessionConfig)
	request func(*requestConfig)
}

func (o bothOption) applySession(c *sessionConfig) { o.session(c) }
func (o bothOption) applyRequest(c *requestConfig) { o.request(c) }

// Timeout sets the timeouts of a session's requests (aiohttp's timeout;
// default DefaultTimeout), or of one request.
func Timeout(t ClientTimeout) Option {
	return bothOption{func(c *sessionConfig) { c.timeout = t }, func(c *requestConfig) { c.timeout = &t }}
}

// MaxRedirects sets how many redirects a request follows before it fails
// (aiohttp's max_redirects; default DefaultMaxRedirects).
func MaxRedirects(n int) Option {
	return bothOption{func(c *sessionConfig) { c.maxRedirects = n }, func(c *requestConfig) { c.maxRedirects = n }}
}

// Headers adds headers to every request of a session, or to one request,
// whose own replace the session's of the same name (aiohttp's headers).
func Headers(h http.Header) Option {
	return bothOption{func(c *sessionConfig) { c.header = h }, func(c *requestConfig) {
		if c.header == nil {
			c.header = http.Header{}
		}
		for k, v := range h {
			c.header[http.CanonicalHeaderKey(k)] = v
		}
	}}
}

// BasicAuth sends HTTP basic authentication (aiohttp's BasicAuth), with a
// session's every request or with one.
func BasicAuth(user, password string) Option {
	f := func(r *http.Request) { r.SetBasicAuth(user, password) }
	return bothOption{func(c *sessionConfig) { c.auth = f }, func(c *requestConfig) { c.auth = f }}
}

// BearerAuth sends "Authorization: Bearer token".
func BearerAuth(token string) Option {
	f := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	return bothOption{func(c *sessionConfig) { c.auth = f }, func(c *requestConfig) { c.auth = f }}
}

// WithHeader sets one header of a request.
func WithHeader(name, value string) RequestOption {
	return requestOption(func(c *requestConfig) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Set(name, value)
	})
}

// Params adds query parameters to a request's URL (aiohttp's params).
func Params(v url.Values) RequestOption {
	return requestOption(func(c *requestConfig) {
		if c.query == nil {
			c.query = url.Values{}
		}
		for k, vs := range v {
			c.query[k] = append(c.query[k], vs...)
		}
	})
}

// JSONBody sends v encoded as JSON, with Content-Type application/json
// (aiohttp's json).
func JSONBody(v any) RequestOption {
	return requestOption(func(c *requestConfig) {
		c.body = func() (io.Reader, int64, string, error) {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, 0, "", err
			}
			return bytes.NewReader(b), int64(len(b)), "application/json", nil
		}
	})
}

// Form sends v URL-encoded, as an HTML form does (aiohttp's data with a
// dict).
func Form(v url.Values) RequestOption {
	return requestOption(func(c *requestConfig) {
		c.body = func() (io.Reader, int64, string, error) {
			s := v.Encode()
			return strings.NewReader(s), int64(len(s)), "application/x-www-form-urlencoded", nil
		}
	})
}

// Body sends what r holds (aiohttp's data with bytes or a stream). Its
// length is known for a *bytes.Buffer, *bytes.Reader or *strings.Reader,
// and the body is sent with a Content-Length; any other reader is
// streamed chunked, read off the loop since it may block.
func Body(r io.Reader, contentType string) RequestOption {
	return requestOption(func(c *requestConfig) {
		c.body = func() (io.Reader, int64, string, error) {
			n := int64(-1)
			switch b := r.(type) {
			case *bytes.Buffer:
				n = int64(b.Len())
			case *bytes.Reader:
				n = int64(b.Len())
			case *strings.Reader:
				n = int64(b.Len())
			}
			return r, n, contentType, nil
		}
	})
}

// AllowRedirects(false) makes a request return a redirect response
// instead of following it (aiohttp's allow_redirects).
func AllowRedirects(on bool) RequestOption {
	return requestOption(func(c *requestConfig) { c.allowRedirects = &on })
}
