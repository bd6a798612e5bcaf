package aiohttp

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
)

// A Response is the response to a request (aiohttp.ClientResponse), with
// its head read. Read its body once, with Text, Bytes, JSON, Reader or
// Chunks; those wait as the session's requests do (suspending a task,
// blocking a goroutine). Release it if the body is not read to its end.
type Response struct {
	Status        string // "200 OK"
	StatusCode    int
	Proto         string // "HTTP/1.1"
	Header        http.Header
	ContentLength int64 // -1 if unknown
	// URL is the URL of the last request, after redirects.
	URL *url.URL
	// Request is the last request made, after redirects.
	Request *http.Request

	raw *http.Response
}

func newResponse(hr *http.Response) *Response {
	return &Response{
		Status: hr.Status, StatusCode: hr.StatusCode, Proto: hr.Proto, Header: hr.Header,
		ContentLength: hr.ContentLength, URL: hr.Request.URL, Request: hr.Request, raw: hr,
	}
}

// ctxBody is a body whose reads can be made to wait with a given ctx.
type ctxBody interface{ withCtx(context.Context) }

// Reader returns the body as an io.Reader whose reads wait with ctx.
// The connection goes back to the pool once the body is read to its end.
func (r *Response) Reader(ctx context.Context) io.Reader {
	if b, ok := r.raw.Body.(ctxBody); ok {
		b.withCtx(ctx)
	}
	return r.raw.Body
}

// Bytes reads the whole body (ClientResponse.read) and releases the
// response.
func (r *Response) Bytes(ctx context.Context) ([]byte, error) {
	defer r.Release()
	return readAll(r.Reader(ctx), r.ContentLength)
}

// Text reads the whole body as a string (ClientResponse.text) and
// releases the response. It decodes the body to UTF-8 from the charset
// its Content-Type names, known by the labels browsers know (WHATWG's,
// under which "iso-8859-1" means windows-1252, its superset). Without a
// charset, or with one it does not know, it takes the body as UTF-8, as
// aiohttp does, and returns its bytes as they came.
func (r *Response) Text(ctx context.Context) (string, error) {
	b, err := r.Bytes(ctx)
	if err != nil {
		return string(b), err
	}
	if enc := r.charset(); enc != nil {
		if d, err := enc.NewDecoder().Bytes(b); err == nil {
			return string(d), nil
		}
	}
	return string(b), nil
}

// charset returns the encoding the Content-Type names, or nil for
// UTF-8, for none and for one not known.
func (r *Response) charset() encoding.Encoding {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["charset"] == "" {
		return nil
	}
	enc, err := htmlindex.Get(params["charset"])
	if err != nil {
		return nil
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return nil
	}
	return enc
}

// JSON decodes the whole body as JSON into v (ClientResponse.json) and
// releases the response.
func (r *Response) JSON(ctx context.Context, v any) error {
	b, err := r.Bytes(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Chunks yields the body as it arrives (ClientResponse.content.iter_chunked),
// in slices valid until the next iteration, and releases the response at
// the end. A failure is yielded last, with a nil slice.
func (r *Response) Chunks(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		defer r.Release()
		rd := r.Reader(ctx)
		buf := make([]byte, 16<<10)
		for {
			n, err := rd.Read(buf)
			if n > 0 && !yield(buf[:n], nil) {
				return
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
		}
	}
}

// Release frees the response's connection (ClientResponse.release): back
// to the pool if the body was read to its end, closed otherwise. It is
// safe to call more than once.
func (r *Response) Release() { r.raw.Body.Close() }

// RaiseForStatus returns a *ResponseError if the status is 400 or more
// (ClientResponse.raise_for_status), nil otherwise.
func (r *Response) RaiseForStatus() error {
	if r.StatusCode < 400 {
		return nil
	}
	return &ResponseError{StatusCode: r.StatusCode, Status: r.Status, Method: r.Request.Method,
		URL: r.URL.String(), Header: r.Header}
}

// Trailer returns the trailer fields of a chunked body, once it has been
// read to its end.
func (r *Response) Trailer() http.Header { return r.raw.Trailer }
