package bind

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
)

// Options say how Bind reads a body.
type Options struct {
	// MaxBody is the most bytes of body read; a larger body is a
	// *TooLarge. 0 means 1 MiB.
	MaxBody int64
	// RejectUnknown makes a JSON object member that no field takes a
	// problem. By default such members are ignored, as encoding/json and
	// FastAPI's models do, so that clients may send fields a newer
	// version of the API will know.
	RejectUnknown bool
}

// Bind fills *dst, of the plan's type, from r, then validates it. It
// returns nil, a *Problems (every problem found), a *TooLarge, or the
// error of reading the body.
func (p *Plan) Bind(r *http.Request, dst any, o Options) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Type() != p.t {
		return fmt.Errorf("bind: Bind of %T with the plan of %v", dst, p.t)
	}
	v = v.Elem()
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	var probs Problems
	var query url.Values
	for i := range p.fields {
		f := &p.fields[i]
		if f.src == fromBody {
			if err := p.bindBody(r, v.FieldByIndex(f.index), o, &probs); err != nil {
				return err
			}
			continue
		}
		var vals []string
		switch f.src {
		case fromPath:
			if s := r.PathValue(f.name); s != "" {
				vals = []string{s}
			}
		case fromQuery:
			if query == nil {
				query = r.URL.Query()
			}
			vals = query[f.name]
		case fromHeader:
			vals = r.Header.Values(f.name)
			if f.slice {
				vals = splitList(vals)
			}
		case fromCookie:
			if c, err := r.Cookie(f.name); err == nil {
				vals = []string{c.Value}
			}
		case fromForm:
			if err := parseForm(r, o.MaxBody); err != nil {
				return err
			}
			if f.file {
				setFiles(v.FieldByIndex(f.index), f, r.MultipartForm)
				continue
			}
			vals = r.PostForm[f.name]
			if len(vals) == 0 && r.MultipartForm != nil {
				vals = r.MultipartForm.Value[f.name]
			}
		}
		setParam(v.FieldByIndex(f.index), f, vals, &probs)
	}
	if p.check == nil || !p.check.ok(v) {
		validate(dst, &probs, p.except)
	}
	if len(probs.List) > 0 {
		return &probs
	}
	return nil
}

// splitList reads a list header as HTTP has it (RFC 9110, section 5.3):
// its lines joined by commas, "a, b" as much as two lines "a" and "b";
// which is also how OpenAPI writes an array in a header.
func splitList(lines []string) []string {
	var out []string
	for _, l := range lines {
		for v := range strings.SplitSeq(l, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// setFiles sets a file field from the files of the multipart form, if
// it is one and has any of the name: the first, or every one for a
// slice. A form that is not multipart has no files.
func setFiles(fv reflect.Value, f *field, form *multipart.Form) {
	if form == nil || len(form.File[f.name]) == 0 {
		return
	}
	files := form.File[f.name]
	if f.slice {
		fv.Set(reflect.ValueOf(files))
		return
	}
	fv.Set(reflect.ValueOf(files[0]))
}

// setParam converts vals into the field, or notes why it cannot.
func setParam(fv reflect.Value, f *field, vals []string, probs *Problems) {
	if len(vals) == 0 {
		return // absent: the field stays zero, or nil
	}
	loc := sourceTags[f.src] + "." + f.name
	if f.slice {
		out := reflect.MakeSlice(fv.Type(), 0, len(vals))
		for i, s := range vals {
			x, err := f.conv(s)
			if err != nil {
				probs.add(fmt.Sprintf("%s[%d]", loc, i), "%v", err)
				continue
			}
			out = reflect.Append(out, x)
		}
		fv.Set(out)
		return
	}
	// A parameter given more than once takes its first value, as
	// url.Values.Get does.
	x, err := f.conv(vals[0])
	if err != nil {
		probs.add(loc, "%v", err)
		return
	}
	if f.ptr {
		pv := reflect.New(fv.Type().Elem())
		pv.Elem().Set(x)
		fv.Set(pv)
		return
	}
	fv.Set(x)
}

// bindBody decodes the JSON body into fv as it reads it, as a handler
// would with a json.Decoder, rather than reading it whole first. An empty
// body leaves fv zero.
func (p *Plan) bindBody(r *http.Request, fv reflect.Value, o Options, probs *Problems) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body := &bodyReader{r: http.MaxBytesReader(nil, r.Body, o.MaxBody), limit: o.MaxBody, seen: seenBuffers.Get().(*bytes.Buffer)}
	defer body.release()
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		// Refused, unless it is empty.
		data, _ := io.ReadAll(body)
		if body.err != nil {
			return body.err
		}
		if len(bytes.TrimSpace(data)) > 0 {
			probs.add("body", "the body is %s, not JSON", ct)
			probs.BadRequest = true
		}
		return nil
	}
	dec := json.NewDecoder(body)
	if o.RejectUnknown {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(fv.Addr().Interface())
	if body.err != nil {
		return body.err // over the limit, or the body could not be read
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == io.EOF:
		return nil // empty, or white space
	case err == nil:
		more := dec.More()
		if body.err != nil {
			return body.err
		}
		if more {
			probs.add("body", "more than one JSON value")
			probs.BadRequest = true
		}
	case errors.As(err, &typeErr):
		probs.add("body"+locate(fv.Type(), body.all()), "must be %s, not a JSON %s", kindName(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		probs.add("body", "not valid JSON: %v", err)
		probs.BadRequest = true
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		probs.add("body."+name, "is not a field of this body")
	default: // an UnmarshalJSON or UnmarshalText refused its value
		probs.add("body"+locate(fv.Type(), body.all()), "%v", err)
	}
	return nil
}

// A bodyReader keeps the error of reading the body, which the decoder
// would report as if it were the JSON's: a body over the limit becomes
// a *TooLarge. It also keeps what it has read, in a buffer it borrows
// from a pool, so that a body found wrong can be read again to locate
// the trouble (locate) without every request copying its body.
type bodyReader struct {
	r     io.Reader
	limit int64
	err   error
	seen  *bytes.Buffer
}

var seenBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// all returns the whole body: what the decoder read, and the rest.
func (b *bodyReader) all() []byte {
	io.Copy(b.seen, b.r)
	return b.seen.Bytes()
}

// release returns the buffer; the body is not to be read again.
func (b *bodyReader) release() {
	if b.seen.Cap() <= 64<<10 {
		b.seen.Reset()
		seenBuffers.Put(b.seen)
	}
	b.seen = nil
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.seen.Write(p[:n])
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			b.err = &TooLarge{Limit: b.limit}
		}
	}
	return n, err
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// kindName names a Go type as a JSON client knows it.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// parseForm reads a urlencoded or multipart body once, within limit.
func parseForm(r *http.Request, limit int64) error {
	if r.PostForm != nil {
		return nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &TooLarge{Limit: limit}
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return &Problems{List: []Problem{{Location: "body", Message: err.Error()}}, BadRequest: true}
	}
	return nil
}
