package bind

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// level is a custom parameter type, parsed by UnmarshalText.
type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return fmt.Errorf("not a level (low or high)")
	}
	return nil
}

type item struct {
	Name  string   `json:"name" validate:"required"`
	Price float64  `json:"price" validate:"gte=0"`
	Tags  []string `json:"tags,omitempty" validate:"max=3"`
}

type input struct {
	ID      int64         `path:"id" validate:"gt=0"`
	Limit   *int          `query:"limit" validate:"omitempty,min=1,max=100"`
	Tags    []string      `query:"tag"`
	Flag    bool          `query:"flag"`
	Since   time.Time     `query:"since"`
	Wait    time.Duration `query:"wait"`
	Ratio   float32       `query:"ratio"`
	Small   uint8         `query:"small"`
	Level   level         `query:"level"`
	Token   string        `header:"X-Token" validate:"required"`
	Session string        `cookie:"session"`
	Body    item          `body:""`
}

// request builds a request that the route /items/{id} matched.
func request(method, target string, body string, hdr map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.SetPathValue("id", strings.TrimPrefix(strings.SplitN(target, "?", 2)[0], "/items/"))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	return r
}

func bind(t *testing.T, r *http.Request, o Options) (input, error) {
	t.Helper()
	p, err := PlanFor(reflect.TypeFor[input]())
	if err != nil {
		t.Fatal(err)
	}
	var in input
	return in, p.Bind(r, &in, o)
}

// TestBindEverySource: each source fills its fields, each kind parsed.
func TestBindEverySource(t *testing.T) {
	r := request("POST", "/items/7?limit=5&tag=a&tag=b&flag=true&since=2026-12-06T10:00:00Z&wait=1.5s&ratio=0.25&small=200&level=high",
		`{"name":"pen","price":1.5,"tags":["x"]}`,
		map[string]string{"X-Token": "secret", "Content-Type": "application/json", "Cookie": "session=abc"})
	in, err := bind(t, r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := input{ID: 7, Tags: []string{"a", "b"}, Flag: true, Since: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC),
		Wait: 1500 * time.Millisecond, Ratio: 0.25, Small: 200, Level: 2, Token: "secret", Session: "abc",
		Body: item{Name: "pen", Price: 1.5, Tags: []string{"x"}}}
	if in.Limit == nil || *in.Limit != 5 {
		t.Errorf("Limit = %v, want 5", in.Limit)
	}
	in.Limit = nil
	if !reflect.DeepEqual(in, want) {
		t.Errorf("bound\n%+v\nwant\n%+v", in, want)
	}
}

// TestBindOptional: an absent parameter leaves a pointer nil and a value
// zero; an absent body leaves the body zero, which validation reports.
func TestBindOptional(t *testing.T) {
	r := request("GET", "/items/3", "", map[string]string{"X-Token": "t"})
	in, err := bind(t, r, Options{})
	var probs *Problems
	if !errors.As(err, &probs) || len(probs.List) != 1 || probs.List[0].Location != "body.name" {
		t.Fatalf("err = %v, want only body.name required", err)
	}
	if in.Limit != nil || in.Tags != nil || in.Flag {
		t.Errorf("absent parameters were set: %+v", in)
	}
}

// TestBindReportsEveryProblem: bad values of every kind, and validation
// failures, all in one answer with their locations; a field that could
// not be bound is not also reported as failing validation.
func TestBindReportsEveryProblem(t *testing.T) {
	r := request("POST", "/items/0?limit=500&tag=a&flag=maybe&since=yesterday&wait=soon&ratio=x&small=300&level=medium",
		`{"name":"","price":-1,"tags":["a","b","c","d"]}`,
		map[string]string{"Content-Type": "application/json"})
	_, err := bind(t, r, Options{})
	var probs *Problems
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v, want *Problems", err)
	}
	if probs.BadRequest {
		t.Errorf("BadRequest set for a readable request")
	}
	got := map[string]string{}
	for _, p := range probs.List {
		if _, dup := got[p.Location]; dup {
			t.Errorf("%s reported twice", p.Location)
		}
		got[p.Location] = p.Message
	}
	want := map[string]string{
		"path.id":        "must be greater than 0",
		"query.limit":    "must be at most 100",
		"query.flag":     "not a boolean (true or false)",
		"query.since":    "not a time in RFC 3339 form",
		"query.wait":     "not a duration (such as 1.5s or 300ms)",
		"query.ratio":    "not a number",
		"query.small":    "out of range for 8 bits",
		"query.level":    "not a level (low or high)",
		"header.X-Token": "is required",
		"body.name":      "is required",
		"body.price":     "must be at least 0",
		"body.tags":      "must have at most 3 items or characters",
	}
	for loc, msg := range want {
		if got[loc] != msg {
			t.Errorf("%s: %q, want %q", loc, got[loc], msg)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems: %v\nwant %d of them", got, len(want))
	}
}

// TestBindBody: the body's failures, by kind.
func TestBindBody(t *testing.T) {
	for _, c := range []struct {
		name, body, ct string
		o              Options
		loc            string
		bad            bool
	}{
		{"wrong type", `{"name":"pen","price":"cheap"}`, "application/json", Options{}, "body.price", false},
		{"not JSON", `{"name":`, "application/json", Options{}, "body", true},
		{"not JSON content", `name=pen`, "application/x-www-form-urlencoded", Options{}, "body", true},
		{"two values", `{"name":"a"} {"name":"b"}`, "application/json", Options{}, "body", true},
		{"unknown field rejected", `{"name":"pen","colour":"red"}`, "application/json", Options{RejectUnknown: true}, "body.colour", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := request("POST", "/items/1", c.body, map[string]string{"X-Token": "t", "Content-Type": c.ct})
			_, err := bind(t, r, c.o)
			var probs *Problems
			if !errors.As(err, &probs) || len(probs.List) != 1 || probs.List[0].Location != c.loc || probs.BadRequest != c.bad {
				t.Fatalf("err = %v (%+v), want one problem at %s, bad request %v", err, probs, c.loc, c.bad)
			}
		})
	}
	// By default an unknown member is ignored.
	r := request("POST", "/items/1", `{"name":"pen","colour":"red"}`, map[string]string{"X-Token": "t"})
	if _, err := bind(t, r, Options{}); err != nil {
		t.Errorf("unknown member, default policy: %v", err)
	}
}

// TestBindBodyEdges: the body decoder, reading as it decodes, takes an
// empty body, white space, an empty body of another type and white space
// after the value, and returns the error of a body that cannot be read
// rather than a problem of the request.
func TestBindBodyEdges(t *testing.T) {
	for _, c := range []struct{ name, body, ct string }{
		{"empty", "", "application/json"},
		{"white space", " \n\t", "application/json"},
		{"empty, not JSON", "", "text/plain"},
		{"white space, not JSON", " ", "text/plain"},
		{"white space after the value", `{"name":"pen"}` + "\n\n", "application/json"},
	} {
		r := request("POST", "/items/1", c.body, map[string]string{"X-Token": "t", "Content-Type": c.ct})
		in, err := bind(t, r, Options{})
		// An empty body leaves the body zero, which its checks then refuse.
		var probs *Problems
		empty := in.Body.Name == "" && errors.As(err, &probs) && !probs.BadRequest &&
			len(probs.List) == 1 && probs.List[0].Location == "body.name"
		if !empty && !(err == nil && in.Body.Name == "pen") {
			t.Errorf("%s: %+v, %v; want an empty body (body.name required) or the pen", c.name, in.Body, err)
		}
	}
	broken := errors.New("connection reset")
	r := request("POST", "/items/1", "", map[string]string{"X-Token": "t"})
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"name":"p`), iotest.ErrReader(broken)))
	if _, err := bind(t, r, Options{}); !errors.Is(err, broken) {
		t.Errorf("a body that fails to read: %v, want %v (not a problem of the request)", err, broken)
	}
}

// TestBindTooLarge: a body over the limit is a *TooLarge, never read
// whole.
func TestBindTooLarge(t *testing.T) {
	big := `{"name":"` + strings.Repeat("x", 2000) + `"}`
	r := request("POST", "/items/1", big, map[string]string{"X-Token": "t"})
	_, err := bind(t, r, Options{MaxBody: 1000})
	var tl *TooLarge
	if !errors.As(err, &tl) || tl.Limit != 1000 {
		t.Fatalf("err = %v, want *TooLarge", err)
	}
}

// TestBindForm: form fields from urlencoded and multipart bodies.
func TestBindForm(t *testing.T) {
	type login struct {
		User     string   `form:"user" validate:"required"`
		Remember bool     `form:"remember"`
		Scopes   []string `form:"scope"`
	}
	p, err := PlanFor(reflect.TypeFor[login]())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/login", strings.NewReader("user=ann&remember=1&scope=a&scope=b"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var in login
	if err := p.Bind(r, &in, Options{}); err != nil || in.User != "ann" || !in.Remember || len(in.Scopes) != 2 {
		t.Errorf("urlencoded: %+v, %v", in, err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("user", "bob")
	mw.Close()
	r = httptest.NewRequest("POST", "/login", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	in = login{}
	if err := p.Bind(r, &in, Options{}); err != nil || in.User != "bob" {
		t.Errorf("multipart: %+v, %v", in, err)
	}
}

// TestPlanRefusesBadTypes: what a tag cannot honour is found when the
// plan is made.
func TestPlanRefusesBadTypes(t *testing.T) {
	type twoBodies struct {
		A item `body:""`
		B item `body:""`
	}
	type mapParam struct {
		M map[string]string `query:"m"`
	}
	type hidden struct {
		id int `path:"id"`
	}
	type bodyAndForm struct {
		Name string `form:"name"`
		Body item   `body:""`
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[twoBodies](), reflect.TypeFor[mapParam](), reflect.TypeFor[hidden](), reflect.TypeFor[bodyAndForm](), reflect.TypeFor[int]()} {
		if _, err := PlanFor(typ); err == nil {
			t.Errorf("PlanFor(%v) succeeded", typ)
		}
	}
	_ = hidden{}.id
}

// TestBindOptionalTextTypes: a pointer to a type that parses itself with
// a pointer method (time.Time, netip.Addr) is an optional parameter,
// as a pointer to any other is.
func TestBindOptionalTextTypes(t *testing.T) {
	type in struct {
		Since *time.Time  `query:"since"`
		Addr  *netip.Addr `query:"addr"`
		Until *time.Time  `query:"until"`
	}
	p, err := PlanFor(reflect.TypeFor[in]())
	if err != nil {
		t.Fatal(err)
	}
	var got in
	if err := p.Bind(httptest.NewRequest("GET", "/?since=2026-12-06T10:00:00Z&addr=10.0.0.1", nil), &got, Options{}); err != nil {
		t.Fatal(err)
	}
	if got.Since == nil || !got.Since.Equal(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Since = %v", got.Since)
	}
	if got.Addr == nil || got.Addr.String() != "10.0.0.1" {
		t.Errorf("Addr = %v", got.Addr)
	}
	if got.Until != nil {
		t.Errorf("Until = %v, want nil: it was not given", got.Until)
	}
}

// TestBindHeaderList: a slice header takes the values of every line,
// each line a comma-separated list, as HTTP (and OpenAPI) has it.
func TestBindHeaderList(t *testing.T) {
	type in struct {
		IDs  []int  `header:"X-Ids"`
		Date string `header:"X-Date"` // not a list: its comma stays
	}
	p, err := PlanFor(reflect.TypeFor[in]())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Add("X-Ids", "1, 2")
	r.Header.Add("X-Ids", "3")
	r.Header.Set("X-Date", "Sun, 06 Dec 2026 10:00:00 GMT")
	var got in
	if err := p.Bind(r, &got, Options{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.IDs, []int{1, 2, 3}) || got.Date != "Sun, 06 Dec 2026 10:00:00 GMT" {
		t.Errorf("bound %+v", got)
	}
}
