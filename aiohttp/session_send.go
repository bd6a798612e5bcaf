package aiohttp

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
)

// clientDo sends req, whose ctx carries rc, and follows its redirects: what
// s.client.Do does. The http.Client costs a few allocations a request
// even when there is no redirect to follow, so the first hop is sent here,
// as the client's send would send it, and the client is called only for
// a response that may redirect, with that response replayed to it as the
// first hop's (rc.replay): the redirects then follow net/http's rules,
// from net/http itself.
//
// The first hop is sent here only when the client would send req as it
// is: no user info in the URL (the client adds an Authorization header
// from it), no cookie from the jar for the URL (the client adds them to
// req's header, which it has copied already for the redirects). Other
// requests go through the client whole.
func (s *Session) clientDo(ctx context.Context, req *http.Request, rc *requestConfig) (*http.Response, error) {
	// The client and the transport it calls find rc in the request's ctx.
	// The first hop sent here is given rc's deadlines instead: the
	// request with rc in its ctx, two allocations, is made only for the
	// client.
	withConfig := func() *http.Request {
		return req.WithContext(context.WithValue(ctx, requestConfigKey{}, rc))
	}
	if req.URL == nil || req.URL.User != nil || req.RequestURI != "" || req.Header == nil {
		return s.client.Do(withConfig())
	}
	// The client gives the jar the URL with req.Host as its host.
	cookieURL := req.URL
	if req.Host != "" && req.Host != req.URL.Host {
		u := *req.URL
		u.Host = req.Host
		cookieURL = &u
	}
	jar := s.client.Jar
	if jar != nil && len(jar.Cookies(cookieURL)) > 0 {
		return s.client.Do(withConfig())
	}
	resp, err := s.roundTripWith(req, rc.deadlines)
	if err != nil {
		// As the client reports it.
		if tlsErr, ok := err.(tls.RecordHeaderError); ok && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch
		}
		return nil, &url.Error{Op: req.Method, URL: req.URL.String(), Err: err}
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		// The client takes it from here: it gets the jar's cookies for
		// the first hop (none, as seen above: the replaying jar says so
		// again, the jar having maybe changed since), the response
		// replayed, stores its cookies and follows it as it sees fit.
		r := withConfig()
		resp.Request = r // as the transport would have made it
		rc.replay = resp
		c := *s.client
		if jar != nil {
			c.Jar = &replayJar{CookieJar: jar}
		}
		return c.Do(r)
	}
	if jar != nil {
		if cookies := resp.Cookies(); len(cookies) > 0 {
			jar.SetCookies(cookieURL, cookies)
		}
	}
	return resp, nil
}

// replayJar is a cookie jar that has no cookie for its first request, the
// first hop replayed (see Session.clientDo), and is jar for the others.
type replayJar struct {
	http.CookieJar
	asked bool
}

// Cookies implements http.CookieJar.
func (j *replayJar) Cookies(u *url.URL) []*http.Cookie {
	if !j.asked {
		j.asked = true
		return nil
	}
	return j.CookieJar.Cookies(u)
}
