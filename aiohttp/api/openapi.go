package api

import (
	"encoding"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/asyncio-go/asyncio/aiohttp/api/internal/bind"
)

// The OpenAPI document, as far as the App writes it: the members of the
// OpenAPI 3.1 objects it fills, named as the specification names them.
type (
	document struct {
		OpenAPI    string             `json:"openapi"`
		Info       info               `json:"info"`
		Paths      ordered[*pathItem] `json:"paths"`
		Components components         `json:"components,omitzero"`
	}
	info struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Description string `json:"description,omitempty"`
	}
	pathItem struct {
		Get     *operation `json:"get,omitempty"`
		Put     *operation `json:"put,omitempty"`
		Post    *operation `json:"post,omitempty"`
		Delete  *operation `json:"delete,omitempty"`
		Options *operation `json:"options,omitempty"`
		Head    *operation `json:"head,omitempty"`
		Patch   *operation `json:"patch,omitempty"`
		Trace   *operation `json:"trace,omitempty"`
	}
	operation struct {
		Tags        []string              `json:"tags,omitempty"`
		Summary     string                `json:"summary,omitempty"`
		Description string                `json:"description,omitempty"`
		OperationID string                `json:"operationId"`
		Parameters  []*parameter          `json:"parameters,omitempty"`
		RequestBody *requestBody          `json:"requestBody,omitempty"`
		Responses   ordered[*response]    `json:"responses"`
		Deprecated  bool                  `json:"deprecated,omitempty"`
		Security    []map[string][]string `json:"security,omitempty"`
	}
	parameter struct {
		Name     string  `json:"name"`
		In       string  `json:"in"`
		Required bool    `json:"required,omitempty"`
		Style    string  `json:"style,omitempty"`
		Explode  *bool   `json:"explode,omitempty"`
		Schema   *schema `json:"schema"`
	}
	requestBody struct {
		Content  ordered[*mediaType] `json:"content"`
		Required bool                `json:"required,omitempty"`
	}
	mediaType struct {
		Schema *schema `json:"schema"`
	}
	response struct {
		Ref         string              `json:"$ref,omitempty"`
		Description string              `json:"description,omitempty"`
		Content     ordered[*mediaType] `json:"content,omitzero"`
	}
	components struct {
		Schemas         ordered[*schema]         `json:"schemas,omitzero"`
		Responses       ordered[*response]       `json:"responses,omitzero"`
		SecuritySchemes ordered[*securityScheme] `json:"securitySchemes,omitzero"`
	}
	securityScheme struct {
		Type        string `json:"type"`
		In          string `json:"in"`
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
	}
)

// OpenAPI returns the App's OpenAPI 3.1 document, as JSON, made from
// its operations as they are now: the one the App serves at its
// OpenAPIPath, for writing to a file or generating a client without
// running a server.
func (a *App) OpenAPI() []byte {
	b, err := json.MarshalIndent(a.document(), "", "  ")
	if err != nil {
		// Every value in the document is made here, of types that
		// marshal.
		panic("api: the OpenAPI document: " + err.Error())
	}
	return append(b, '\n')
}

// The error responses and their schemas, as components.
const (
	problemSchema  = "Problem"
	problemItem    = "ProblemError"
	respBadRequest = "BadRequest"
	respTooLarge   = "ContentTooLarge"
	respInvalid    = "UnprocessableContent"
	respError      = "Error"
)

func (a *App) document() *document {
	d := &document{
		OpenAPI: "3.1.0",
		Info:    info{Title: a.cfg.title, Version: a.cfg.version, Description: a.cfg.overview},
	}
	r := newReflector(problemSchema, problemItem)
	shapes := map[string]string{} // a path with its wildcards unnamed → the path
	for _, rt := range a.routes {
		op := a.operationOf(rt, r, d)
		path := openAPIPath(rt.pattern)
		// GET /items/{id} and PUT /items/{name} are one path to
		// OpenAPI, which takes only one spelling of it: the first.
		shape := wildcard.ReplaceAllString(path, "{}")
		if first, ok := shapes[shape]; ok && first != path {
			renameWildcards(op, path, first)
			path = first
		}
		shapes[shape] = path
		item, ok := d.Paths.get(path)
		if !ok {
			item = &pathItem{}
			d.Paths.set(path, item)
		}
		if slot := item.slot(rt.method); slot != nil {
			*slot = op
		}
	}
	d.Components.Schemas = r.defs
	if _, ok := d.Components.Responses.get(respError); ok {
		d.Components.Schemas.set(problemSchema, problemDoc())
		d.Components.Schemas.set(problemItem, problemEntry())
	}
	return d
}

// renameWildcards renames op's path parameters from the wildcards of
// path to those of the same places in first.
func renameWildcards(op *operation, path, first string) {
	from, to := wildcard.FindAllStringSubmatch(path, -1), wildcard.FindAllStringSubmatch(first, -1)
	names := map[string]string{}
	for i := range min(len(from), len(to)) {
		names[from[i][1]] = to[i][1]
	}
	for _, p := range op.Parameters {
		if n, ok := names[p.Name]; ok && p.In == "path" {
			p.Name = n
		}
	}
}

// slot is where the operation of method goes; nil for a method
// OpenAPI has no place for.
func (p *pathItem) slot(method string) **operation {
	switch method {
	case http.MethodGet:
		return &p.Get
	case http.MethodPut:
		return &p.Put
	case http.MethodPost:
		return &p.Post
	case http.MethodDelete:
		return &p.Delete
	case http.MethodOptions:
		return &p.Options
	case http.MethodHead:
		return &p.Head
	case http.MethodPatch:
		return &p.Patch
	case http.MethodTrace:
		return &p.Trace
	}
	return nil
}

// operationOf describes one route: the parameters of every input it
// binds (its own and its dependencies'), its body, its answers.
func (a *App) operationOf(rt *route, r *reflector, d *document) *operation {
	op := &operation{
		Tags: rt.cfg.tags, Summary: rt.cfg.summary, Description: rt.cfg.description,
		OperationID: rt.cfg.operationID, Deprecated: rt.cfg.deprecated,
	}
	seen := map[string]bool{}
	var form *schema
	multipartForm := false
	for _, in := range rt.inputs {
		plan, err := bind.PlanFor(in)
		if err != nil {
			continue // not so: the route was registered with its plan
		}
		for _, p := range plan.Params() {
			tag := p.Field.Tag.Get("validate")
			switch p.In {
			case "body":
				// A body is required unless its field is a pointer: an empty
				// one leaves the field zero, which few operations mean to take.
				op.RequestBody = &requestBody{Required: p.Field.Type.Kind() != reflect.Pointer || requiredRule(tag)}
				s := r.schemaOf(deref(p.Field.Type))
				constrain(s, deref(p.Field.Type), tag)
				op.RequestBody.Content.set("application/json", &mediaType{Schema: s})
			case "form":
				if form == nil {
					form = &schema{Type: types{"object"}}
				}
				if _, dup := form.Properties.get(p.Name); !dup {
					if p.File {
						multipartForm = true
					}
					form.Properties.set(p.Name, paramSchema(r, p, tag))
					if requiredRule(tag) {
						form.Required = append(form.Required, p.Name)
					}
				}
			case "header":
				if strings.EqualFold(p.Name, "Authorization") {
					// OpenAPI ignores an Authorization parameter: it is
					// a security scheme's to describe.
					if op.Security == nil {
						op.Security = authorization(d, requiredRule(tag))
					}
					continue
				}
				fallthrough
			default:
				key := p.In + " " + p.Name
				if p.In == "header" {
					key = strings.ToLower(key)
				}
				if seen[key] {
					continue
				}
				seen[key] = true
				op.Parameters = append(op.Parameters, paramOf(r, p, tag))
			}
		}
	}
	bound := len(seen) > 0 || form != nil || op.RequestBody != nil
	// Every wildcard of the path is a parameter, bound or not.
	for _, m := range wildcard.FindAllStringSubmatch(rt.pattern, -1) {
		if m[1] != "" && m[1] != "$" && !seen["path "+m[1]] {
			seen["path "+m[1]] = true
			op.Parameters = append(op.Parameters, &parameter{Name: m[1], In: "path", Required: true, Schema: &schema{Type: types{"string"}}})
		}
	}
	if form != nil {
		op.RequestBody = &requestBody{Required: len(form.Required) > 0}
		if multipartForm {
			// Files come only in a multipart form.
			op.RequestBody.Content.set("multipart/form-data", &mediaType{Schema: form})
		} else {
			op.RequestBody.Content.set("application/x-www-form-urlencoded", &mediaType{Schema: form})
		}
	}

	status := rt.cfg.status
	if status == http.StatusOK && rt.out.Kind() == reflect.Struct && rt.out.Name() == "" && rt.out.NumField() == 0 {
		status = http.StatusNoContent // *struct{}: the operation returns nil
	}
	ok := &response{Description: http.StatusText(status)}
	if ok.Description == "" {
		ok.Description = "Success"
	}
	if bodyAllowed(status) {
		ok.Content.set("application/json", &mediaType{Schema: r.schemaOf(rt.out)})
	}
	op.Responses.set(strconv.Itoa(status), ok)
	if op.RequestBody != nil {
		op.Responses.set("400", useResponse(d, respBadRequest, "The request could not be read"))
		op.Responses.set("413", useResponse(d, respTooLarge, "The body is over the App's MaxBody"))
	}
	if bound {
		op.Responses.set("422", useResponse(d, respInvalid, "The request does not fit the operation: each problem is in errors"))
	}
	op.Responses.set("default", useResponse(d, respError, "An error"))
	return op
}

// authorization returns the security requirements of an operation that
// reads the Authorization header, the scheme of which it makes if
// needed: an API key, the header's whole value, which is all the
// operation says of it. An optional header is an alternative of no
// requirement.
func authorization(d *document, required bool) []map[string][]string {
	const name = "Authorization"
	if _, ok := d.Components.SecuritySchemes.get(name); !ok {
		d.Components.SecuritySchemes.set(name, &securityScheme{
			Type: "apiKey", In: "header", Name: name,
			Description: `The Authorization header, whole: "Bearer" and a token, say.`,
		})
	}
	reqs := []map[string][]string{{name: {}}}
	if !required {
		reqs = append(reqs, map[string][]string{})
	}
	return reqs
}

// bodyAllowed reports whether an answer with status has content.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusResetContent && status != http.StatusNotModified
}

// useResponse returns a reference to the component response name, a
// problem document, making it if needed.
func useResponse(d *document, name, description string) *response {
	if _, ok := d.Components.Responses.get(name); !ok {
		resp := &response{Description: description}
		resp.Content.set("application/problem+json", &mediaType{Schema: &schema{Ref: "#/components/schemas/" + problemSchema}})
		d.Components.Responses.set(name, resp)
		if name != respError {
			useResponse(d, respError, "An error") // the schema goes with it
		}
	}
	return &response{Ref: "#/components/responses/" + name}
}

// problemDoc is the schema of what (*Error).write writes: RFC 9457's
// members, and errors.
func problemDoc() *schema {
	s := &schema{Type: types{"object"}, Required: []string{"type", "title", "status"}}
	s.Properties.set("type", &schema{Type: types{"string"}, Format: "uri-reference"})
	s.Properties.set("title", &schema{Type: types{"string"}})
	s.Properties.set("status", &schema{Type: types{"integer"}, Format: "int32", Minimum: "100", Maximum: "599"})
	s.Properties.set("detail", &schema{Type: types{"string"}})
	s.Properties.set("errors", &schema{Type: types{"array"}, Items: &schema{Ref: "#/components/schemas/" + problemItem}})
	return s
}

// problemEntry is the schema of a Problem.
func problemEntry() *schema {
	s := &schema{Type: types{"object"}, Required: []string{"location", "message"}}
	s.Properties.set("location", &schema{Type: types{"string"}, Description: `where: "query.limit", "body.items[2].name"`})
	s.Properties.set("message", &schema{Type: types{"string"}})
	return s
}

// paramOf describes a path, query, header or cookie parameter. A path
// parameter is always required; another when its validate tag says so,
// since an absent one leaves its field zero, or nil.
func paramOf(r *reflector, p bind.Param, tag string) *parameter {
	q := &parameter{Name: p.Name, In: p.In, Required: p.In == "path" || requiredRule(tag), Schema: paramSchema(r, p, tag)}
	if p.Repeated && p.In == "query" {
		t := true
		q.Style, q.Explode = "form", &t // ?tag=a&tag=b
	}
	return q
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// paramSchema is the schema of a parameter's or form field's value:
// the string bind converts, described as the value it converts to.
func paramSchema(r *reflector, p bind.Param, tag string) *schema {
	var s *schema
	switch e := p.Elem; {
	case p.File:
		s = &schema{Type: types{"string"}, Format: "binary", ContentMediaType: "application/octet-stream"}
	case e == timeType:
		s = &schema{Type: types{"string"}, Format: "date-time"}
	case e == durationType:
		s = &schema{Type: types{"string"}, Pattern: durationPattern, Description: `a duration as Go writes it: "1.5s", "300ms", "1h2m"`}
	case e.Implements(textUnmarshaler) || reflect.PointerTo(e).Implements(textUnmarshaler):
		s = &schema{Type: types{"string"}}
	default:
		s = r.schemaOf(e)
	}
	t := p.Elem
	if p.Repeated {
		s = &schema{Type: types{"array"}, Items: s}
		t = p.Field.Type
	}
	constrain(s, t, tag)
	return s
}

// durationPattern matches what time.ParseDuration takes.
const durationPattern = `^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`

// openAPIPath is a ServeMux pattern as an OpenAPI path: without a host,
// "{rest...}" as "{rest}", and "{$}" (the end of the path) left out.
func openAPIPath(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	return strings.ReplaceAll(pattern, "...}", "}")
}
