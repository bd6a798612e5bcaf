package bind

import (
	"encoding"
	"fmt"
	"mime/multipart"
	"reflect"
	"sync"
	"time"
)

// A source is where a field's value comes from.
type source uint8

const (
	fromPath source = iota
	fromQuery
	fromHeader
	fromCookie
	fromForm
	fromBody
)

var sourceTags = [...]string{fromPath: "path", fromQuery: "query", fromHeader: "header", fromCookie: "cookie", fromForm: "form", fromBody: "body"}

// A field is one bound field of the input struct.
type field struct {
	index []int
	src   source
	name  string // the parameter's name; "body" for the body
	// conv parses one string into a value of the element type (the
	// type without its pointer or slice); nil for the body.
	conv  func(s string) (reflect.Value, error)
	ptr   bool // the field is a pointer: nil when absent
	slice bool // the field is a slice: every value
	file  bool // an uploaded file of a multipart form (*multipart.FileHeader)
}

// A Plan binds one input type; plans are made once per type.
type Plan struct {
	t      reflect.Type
	fields []field
	body   *field
	// except names the fields tagged `depends`: the api package fills
	// them after binding, and nothing here may check them before.
	except []string
	// check vouches for the values that surely pass the validate tags,
	// so that the validator runs only for the others (quick.go); nil if
	// the type has tags it does not know.
	check *check
}

var plans sync.Map // reflect.Type → *Plan or error

// PlanFor returns the plan of the struct type t. A tag it cannot honour
// (a path parameter of a kind no string converts to, two bodies) is an
// error: the program's, found when the operation is registered.
func PlanFor(t reflect.Type) (*Plan, error) {
	if v, ok := plans.Load(t); ok {
		if err, bad := v.(error); bad {
			return nil, err
		}
		return v.(*Plan), nil
	}
	p, err := makePlan(t)
	if err != nil {
		plans.Store(t, err)
		return nil, err
	}
	plans.Store(t, p)
	return p, nil
}

func makePlan(t reflect.Type) (*Plan, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("bind: %v is not a struct", t)
	}
	p := &Plan{t: t}
	for sf := range t.Fields() {
		if _, ok := sf.Tag.Lookup("depends"); ok {
			p.except = append(p.except, sf.Name)
			continue
		}
		src, name, ok := tagOf(sf)
		if !ok {
			continue
		}
		if !sf.IsExported() {
			return nil, fmt.Errorf("bind: %v.%s is tagged %s but not exported", t, sf.Name, sourceTags[src])
		}
		f := field{index: sf.Index, src: src, name: name}
		if src == fromBody {
			if p.body != nil {
				return nil, fmt.Errorf("bind: %v has two body fields", t)
			}
			p.fields = append(p.fields, f)
			p.body = &f // marks that there is one; set to its place below
			continue
		}
		if src == fromForm && (sf.Type == fileType || sf.Type == reflect.SliceOf(fileType)) {
			f.file, f.ptr, f.slice = true, sf.Type == fileType, sf.Type != fileType
			p.fields = append(p.fields, f)
			continue
		}
		elem := sf.Type
		switch {
		case elem.Kind() == reflect.Pointer:
			// *time.Time and *netip.Addr too: the value's type, not
			// the pointer's, is what converts.
			f.ptr, elem = true, elem.Elem()
		case elem.Kind() == reflect.Slice && elem.Elem().Kind() != reflect.Uint8:
			f.slice, elem = true, elem.Elem()
		}
		conv, err := converter(elem)
		if err != nil {
			return nil, fmt.Errorf("bind: %v.%s: %w", t, sf.Name, err)
		}
		f.conv = conv
		p.fields = append(p.fields, f)
	}
	if p.body != nil {
		for _, f := range p.fields {
			if f.src == fromForm {
				return nil, fmt.Errorf("bind: %v takes both a JSON body and form fields: a request has one body", t)
			}
		}
	}
	// p.body points into p.fields, which appends may have moved.
	for i := range p.fields {
		if p.fields[i].src == fromBody {
			p.body = &p.fields[i]
		}
	}
	p.check = checkFor(t, map[reflect.Type]bool{})
	return p, nil
}

// tagOf returns where the field comes from, if it is bound.
func tagOf(sf reflect.StructField) (source, string, bool) {
	for src, tag := range sourceTags {
		if name, ok := sf.Tag.Lookup(tag); ok {
			if source(src) == fromBody {
				name = "body"
			}
			if name == "" {
				name = sf.Name
			}
			return source(src), name, true
		}
	}
	return 0, "", false
}

var (
	fileType        = reflect.TypeFor[*multipart.FileHeader]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
	durationType    = reflect.TypeFor[time.Duration]()
)

// ReadsBody reports whether the plan reads the request's body: a JSON
// body field, or form fields.
func (p *Plan) ReadsBody() bool {
	for _, f := range p.fields {
		if f.src == fromBody || f.src == fromForm {
			return true
		}
	}
	return false
}
