package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/internal/oascheck"
)

// The shop's operations cover every place an input comes from.

type User struct {
	Name string `json:"name"`
}

type whoIn struct {
	Key string `header:"X-API-Key" validate:"required"`
}

type listItems struct {
	Tags   []string       `query:"tag" validate:"max=5,dive,alphanum"`
	Since  *time.Time     `query:"since"`
	Within *time.Duration `query:"within"`
	Lang   string         `cookie:"lang" validate:"omitempty,oneof=en fr"`
	Trace  string         `header:"X-Trace"`
	User   *User          `depends:""`
}

type newItem struct {
	Body  Item  `body:""`
	Dry   bool  `query:"dry"`
	Owner *User `depends:""`
}

type login struct {
	Name     string `form:"name" validate:"required"`
	Password string `form:"password" validate:"required,min=8"`
	Remember *bool  `form:"remember"`
}

type session struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

type fileIn struct {
	Path string `path:"path"`
}

type page[T any] struct {
	Items []T     `json:"items" validate:"required"`
	Next  *string `json:"next"`
}

func shop() *api.App {
	a := api.New(api.Title("Shop"), api.Version("1.2.3"), api.Overview("Pens and ink."))
	api.Provide(a, func(ctx context.Context, in *whoIn) (*User, func(), error) {
		if in.Key != "k" {
			return nil, nil, api.Errorf(http.StatusUnauthorized, "bad key")
		}
		return &User{Name: "ann"}, nil, nil
	})
	items := []Item{{ID: 1, Name: "pen", Price: 1.5}}
	api.Get(a, "/items", func(ctx context.Context, in *listItems) (*page[Item], error) {
		return &page[Item]{Items: items}, nil
	}, api.Summary("List items"), api.Tags("items"))
	api.Post(a, "/items", func(ctx context.Context, in *newItem) (*Item, error) {
		return &in.Body, nil
	}, api.Status(http.StatusCreated), api.Tags("items"), api.OperationID("createItem"))
	api.Get(a, "/items/{id}", func(ctx context.Context, in *getItem) (*Item, error) {
		return &items[0], nil
	}, api.Deprecated(), api.Description("Use **/items**."))
	api.Delete(a, "/items/{id}", func(ctx context.Context, in *getItem) (*struct{}, error) {
		return nil, nil
	})
	api.Post(a, "/login", func(ctx context.Context, in *login) (*session, error) {
		return &session{Token: "t", Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
	})
	api.Get(a, "/files/{path...}", func(ctx context.Context, in *fileIn) (*string, error) {
		return &in.Path, nil
	})
	api.Get(a, "/health/{$}", func(ctx context.Context, in *noInput) (*struct{}, error) {
		return nil, nil
	}, api.Status(http.StatusNoContent))
	return a
}

func TestDocumentValidatesAgainstOAS31Schema(t *testing.T) {
	doc := shop().OpenAPI()
	if err := oascheck.Validate(doc); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}

	// The checker is not blind: a parameter in a place OpenAPI lacks
	// fails it, and so does a schema in 3.0's style.
	for _, c := range []struct{ from, to string }{
		{`"in": "cookie"`, `"in": "body"`},
		{`"minimum": 1`, `"minimum": "1"`},
	} {
		bad := bytes.Replace(doc, []byte(c.from), []byte(c.to), 1)
		if bytes.Equal(bad, doc) {
			t.Fatalf("the document has no %s to break", c.from)
		}
		if err := oascheck.Validate(bad); err == nil {
			t.Errorf("%s passed", c.to)
		}
	}
}

// kin-openapi reads the document too, as a second, independent opinion.
func TestDocumentLoadsWithKinOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(shop().OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("version %q", doc.OpenAPI)
	}
}

// operation returns one operation of the document as generic JSON.
func operation(t *testing.T, doc map[string]any, path, method string) map[string]any {
	t.Helper()
	item, ok := doc["paths"].(map[string]any)[path].(map[string]any)
	if !ok {
		t.Fatalf("no path %s in %v", path, doc["paths"])
	}
	op, ok := item[method].(map[string]any)
	if !ok {
		t.Fatalf("no %s %s", method, path)
	}
	return op
}

func params(op map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, p := range op["parameters"].([]any) {
		p := p.(map[string]any)
		out[p["in"].(string)+" "+p["name"].(string)] = p
	}
	return out
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDocumentOperations(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(shop().OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := asJSON(doc["info"]); got != `{"description":"Pens and ink.","title":"Shop","version":"1.2.3"}` {
		t.Errorf("info %s", got)
	}
	var paths []string
	for p := range doc["paths"].(map[string]any) {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	if want := []string{"/files/{path}", "/health/", "/items", "/items/{id}", "/login"}; !slices.Equal(paths, want) {
		t.Errorf("paths %v, want %v", paths, want)
	}

	list := operation(t, doc, "/items", "get")
	if list["operationId"] != "getItems" || list["summary"] != "List items" || asJSON(list["tags"]) != `["items"]` {
		t.Errorf("list: %s", asJSON(list))
	}
	ps := params(list)
	want := map[string]string{
		"query tag":        `{"explode":true,"in":"query","name":"tag","schema":{"items":{"pattern":"^[a-zA-Z0-9]+$","type":"string"},"maxItems":5,"type":"array"},"style":"form"}`,
		"query since":      `{"in":"query","name":"since","schema":{"format":"date-time","type":"string"}}`,
		"cookie lang":      `{"in":"cookie","name":"lang","schema":{"enum":["en","fr"],"type":"string"}}`,
		"header X-Trace":   `{"in":"header","name":"X-Trace","schema":{"type":"string"}}`,
		"header X-API-Key": `{"in":"header","name":"X-API-Key","required":true,"schema":{"type":"string"}}`, // the dependency's
	}
	for k, w := range want {
		if got := asJSON(ps[k]); got != w {
			t.Errorf("%s:\n got %s\nwant %s", k, got, w)
		}
	}
	if within := asJSON(ps["query within"]); !strings.Contains(within, `"pattern"`) {
		t.Errorf("a duration parameter without its pattern: %s", within)
	}
	resp := list["responses"].(map[string]any)
	if got := asJSON(resp["200"]); got != `{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/page_Item"}}},"description":"OK"}` {
		t.Errorf("200: %s", got)
	}
	if _, ok := resp["422"]; !ok {
		t.Error("no 422")
	}
	if _, ok := resp["400"]; ok {
		t.Error("a 400 for an operation without a body")
	}

	create := operation(t, doc, "/items", "post")
	if create["operationId"] != "createItem" {
		t.Errorf("operationId %v", create["operationId"])
	}
	if got := asJSON(create["requestBody"]); got != `{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Item"}}},"required":true}` {
		t.Errorf("requestBody %s", got)
	}
	var codes []string
	for c := range create["responses"].(map[string]any) {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	if want := []string{"201", "400", "413", "422", "default"}; !slices.Equal(codes, want) {
		t.Errorf("responses %v, want %v", codes, want)
	}

	get := operation(t, doc, "/items/{id}", "get")
	if get["deprecated"] != true || get["description"] != "Use **/items**." || get["operationId"] != "getItemsById" {
		t.Errorf("get: %s", asJSON(get))
	}
	if got := asJSON(params(get)["path id"]); got != `{"in":"path","name":"id","required":true,"schema":{"format":"int64","minimum":1,"type":"integer"}}` {
		t.Errorf("path id: %s", got)
	}

	del := operation(t, doc, "/items/{id}", "delete")
	if got := asJSON(del["responses"].(map[string]any)["204"]); got != `{"description":"No Content"}` {
		t.Errorf("delete's 204: %s", got)
	}

	lg := operation(t, doc, "/login", "post")
	if got := asJSON(lg["requestBody"]); got != `{"content":{"application/x-www-form-urlencoded":{"schema":{"properties":{"name":{"type":"string"},"password":{"minLength":8,"type":"string"},"remember":{"type":"boolean"}},"required":["name","password"],"type":"object"}}},"required":true}` {
		t.Errorf("form: %s", got)
	}

	files := operation(t, doc, "/files/{path}", "get")
	if got := asJSON(params(files)["path path"]); got != `{"in":"path","name":"path","required":true,"schema":{"type":"string"}}` {
		t.Errorf("path path: %s", got)
	}
	health := operation(t, doc, "/health/", "get")
	if _, ok := health["responses"].(map[string]any)["422"]; ok || health["parameters"] != nil {
		t.Errorf("an operation with no input: %s", asJSON(health))
	}

	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	if got := asJSON(schemas["page_Item"]); got != `{"properties":{"items":{"items":{"$ref":"#/components/schemas/Item"},"type":"array"},"next":{"type":["string","null"]}},"required":["items"],"type":"object"}` {
		t.Errorf("page_Item: %s", got)
	}
	if got := asJSON(schemas["session"]); got != `{"properties":{"expires":{"format":"date-time","type":"string"},"token":{"type":"string"}},"type":"object"}` {
		t.Errorf("session: %s", got)
	}
}

func TestOperationIDs(t *testing.T) {
	a := api.New()
	api.Get(a, "/", func(ctx context.Context, in *noInput) (*Item, error) { return nil, nil })
	api.Get(a, "/users/{uid}/items/{item_id}", func(ctx context.Context, in *noInput) (*Item, error) { return nil, nil })
	api.Get(a, "/users/{uid}/items/{item_id}/", func(ctx context.Context, in *noInput) (*Item, error) { return nil, nil })
	api.Put(a, "/x", func(ctx context.Context, in *noInput) (*Item, error) { return nil, nil }, api.OperationID("mine"))
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(a.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/":                             "getRoot",
		"/users/{uid}/items/{item_id}":  "getUsersByUidItemsByItemId",
		"/users/{uid}/items/{item_id}/": "getUsersByUidItemsByItemId2",
		"/x":                            "mine",
	} {
		for _, op := range doc.Paths[path] {
			if op.OperationID != want {
				t.Errorf("%s: %q, want %q", path, op.OperationID, want)
			}
		}
	}

	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"mine" is taken by PUT /x`) {
			t.Errorf("a repeated operation ID: %v", r)
		}
	}()
	api.Get(a, "/y", func(ctx context.Context, in *noInput) (*Item, error) { return nil, nil }, api.OperationID("mine"))
}

// The shop's real answers, good and bad, are what its document says
// they are, as kin-openapi's request and response validation sees it.
func TestAnswersFitTheDocument(t *testing.T) {
	a := shop()
	doc, err := openapi3.NewLoader().LoadFromData(a.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, target, body string
		hdr                  map[string]string
		status               int
		goodRequest          bool
	}{
		{"GET", "/items?tag=a&tag=b&since=2026-12-06T10:00:00Z&within=1h30m", "", map[string]string{"X-API-Key": "k", "Cookie": "lang=fr"}, 200, true},
		{"GET", "/items", "", map[string]string{"X-API-Key": "nope"}, 401, true},
		{"GET", "/items?tag=a-b", "", map[string]string{"X-API-Key": "k"}, 422, false},
		{"POST", "/items?dry=true", `{"id":2,"name":"ink","price":4}`, map[string]string{"X-API-Key": "k", "Content-Type": "application/json"}, 201, true},
		{"POST", "/items", `{"name":"ink","price":-1}`, map[string]string{"X-API-Key": "k", "Content-Type": "application/json"}, 422, false},
		{"POST", "/items", `{"name":`, map[string]string{"X-API-Key": "k", "Content-Type": "application/json"}, 400, false},
		{"GET", "/items/1", "", map[string]string{"X-Token": "t"}, 200, true},
		{"DELETE", "/items/1", "", nil, 204, true},
		{"POST", "/login", "name=ann&password=12345678", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 200, true},
		// One segment: a {path...} that spans several, OpenAPI cannot say.
		{"GET", "/files/b.txt", "", nil, 200, true},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			req := httptest.NewRequest(c.method, "http://shop.test"+c.target, strings.NewReader(c.body))
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			route, pathParams, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route}
			err = openapi3filter.ValidateRequest(context.Background(), in)
			if c.goodRequest && err != nil {
				t.Errorf("a request the operation takes does not fit the document: %v", err)
			}
			if !c.goodRequest && err == nil {
				t.Errorf("a request the operation refuses fits the document")
			}
			w := httptest.NewRecorder()
			served := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			served.Header = req.Header
			a.ServeHTTP(w, served)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header()}
			out.SetBodyBytes(w.Body.Bytes())
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("the answer does not fit the document: %v\n%s", err, w.Body)
			}
		})
	}
}

// An Authorization header is a security scheme, not a parameter, which
// OpenAPI would ignore (and client generators with it).
func TestAuthorizationIsASecurityScheme(t *testing.T) {
	type token struct {
		Auth string `header:"Authorization" validate:"required"`
	}
	type maybe struct {
		Auth *string `header:"authorization"`
	}
	a := api.New()
	api.Get(a, "/mine", func(ctx context.Context, in *token) (*Item, error) { return nil, nil })
	api.Get(a, "/public", func(ctx context.Context, in *maybe) (*Item, error) { return nil, nil })
	raw := a.OpenAPI()
	if err := oascheck.Validate(raw); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	mine, public := operation(t, doc, "/mine", "get"), operation(t, doc, "/public", "get")
	if mine["parameters"] != nil || public["parameters"] != nil {
		t.Errorf("Authorization as a parameter: %v %v", mine["parameters"], public["parameters"])
	}
	if got := asJSON(mine["security"]); got != `[{"Authorization":[]}]` {
		t.Errorf("required: %s", got)
	}
	if got := asJSON(public["security"]); got != `[{"Authorization":[]},{}]` {
		t.Errorf("optional: %s", got)
	}
	scheme := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)["Authorization"].(map[string]any)
	if scheme["type"] != "apiKey" || scheme["in"] != "header" || scheme["name"] != "Authorization" {
		t.Errorf("scheme %v", scheme)
	}
}

// Two patterns that differ only in their wildcards' names are one path
// to OpenAPI, spelled as the first.
func TestPathsOfOneShape(t *testing.T) {
	type byName struct {
		Name string `path:"name"`
		Q    string `query:"q"`
	}
	a := api.New()
	api.Get(a, "/items/{id}", func(ctx context.Context, in *getItem) (*Item, error) { return nil, nil })
	api.Put(a, "/items/{name}", func(ctx context.Context, in *byName) (*Item, error) { return nil, nil })
	raw := a.OpenAPI()
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	if len(doc["paths"].(map[string]any)) != 1 {
		t.Fatalf("paths %v", asJSON(doc["paths"]))
	}
	put := operation(t, doc, "/items/{id}", "put")
	if got := asJSON(params(put)["path id"]); got != `{"in":"path","name":"id","required":true,"schema":{"type":"string"}}` {
		t.Errorf("put's path parameter: %s", asJSON(put["parameters"]))
	}
	if err := oascheck.Validate(raw); err != nil {
		t.Error(err)
	}
	if _, err := openapi3.NewLoader().LoadFromData(raw); err != nil {
		t.Error(err)
	}
}
