package api

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A reflector makes the JSON Schemas of Go types as encoding/json
// writes and reads them. Named struct types become components of the
// document, referred to by $ref, which is also what lets a type contain
// itself.
type reflector struct {
	defs  ordered[*schema]        // components/schemas
	names map[reflect.Type]string // the component of each named struct
	taken map[string]bool         // component names in use
	// inlining holds the named non-struct types being reflected: one
	// that contains itself (type Tree []Tree) stops there.
	inlining map[reflect.Type]bool
}

func newReflector(reserved ...string) *reflector {
	r := &reflector{names: map[reflect.Type]string{}, taken: map[string]bool{}, inlining: map[reflect.Type]bool{}}
	for _, n := range reserved {
		r.taken[n] = true
	}
	return r
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	durationType   = reflect.TypeFor[time.Duration]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	jsonMarshaler  = reflect.TypeFor[json.Marshaler]()
	textMarshaler  = reflect.TypeFor[encoding.TextMarshaler]()
)

// implements reports whether t or *t has the methods of iface, as
// encoding/json looks for them.
func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

// schemaOf returns the schema of a JSON value of type t. A pointer is
// nullable; slices and maps, which encoding/json also writes as null
// when nil, are left to the field that holds them, which knows whether
// they can be.
func (r *reflector) schemaOf(t reflect.Type) *schema {
	switch {
	case t == timeType:
		return &schema{Type: types{"string"}, Format: "date-time"}
	case t == durationType:
		return &schema{Type: types{"integer"}, Format: "int64", Description: "nanoseconds"}
	case t == rawMessageType:
		return &schema{}
	case t.Kind() == reflect.Pointer:
		return nullable(r.schemaOf(t.Elem()))
	case implements(t, jsonMarshaler):
		return &schema{} // it writes what it likes
	case implements(t, textMarshaler):
		return &schema{Type: types{"string"}}
	}
	if t.Name() != "" && t.Kind() != reflect.Struct {
		if r.inlining[t] {
			return &schema{}
		}
		r.inlining[t] = true
		defer delete(r.inlining, t)
	}
	switch t.Kind() {
	case reflect.Bool:
		return &schema{Type: types{"boolean"}}
	case reflect.String:
		return &schema{Type: types{"string"}}
	case reflect.Float32:
		return &schema{Type: types{"number"}, Format: "float"}
	case reflect.Float64:
		return &schema{Type: types{"number"}, Format: "double"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return intSchema(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), jsonMarshaler) && !implements(t.Elem(), textMarshaler) {
			// encoding/json writes []byte as base64; "byte" is the
			// format OpenAPI 3.0 tools know it by.
			return &schema{Type: types{"string"}, ContentEncoding: "base64", Format: "byte"}
		}
		return &schema{Type: types{"array"}, Items: r.elemSchema(t.Elem())}
	case reflect.Array:
		n := uint64(t.Len())
		return &schema{Type: types{"array"}, Items: r.elemSchema(t.Elem()), MinItems: &n, MaxItems: &n}
	case reflect.Map:
		s := &schema{Type: types{"object"}, AdditionalProperties: r.elemSchema(t.Elem())}
		switch k := t.Key(); {
		case implements(k, textMarshaler) && k.Kind() != reflect.String:
		case k.Kind() == reflect.String:
		case isInt(k.Kind()):
			s.PropertyNames = &schema{Type: types{"string"}, Pattern: "^-?[0-9]+$"}
		case isUint(k.Kind()):
			s.PropertyNames = &schema{Type: types{"string"}, Pattern: "^[0-9]+$"}
		default:
			return &schema{} // encoding/json refuses the map
		}
		return s
	case reflect.Struct:
		if t.Name() == "" {
			return r.object(t)
		}
		return &schema{Ref: "#/components/schemas/" + r.component(t)}
	}
	// Interfaces hold anything; channels, funcs and complex numbers
	// encoding/json refuses, so no value is described.
	return &schema{}
}

// elemSchema is the schema of an element of a slice, array or map: as
// any value, nil pointers included.
func (r *reflector) elemSchema(t reflect.Type) *schema {
	s := r.schemaOf(t)
	if k := t.Kind(); k == reflect.Slice || k == reflect.Map {
		s = nullable(s)
	}
	return s
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Int64
}

func isUint(k reflect.Kind) bool {
	return k >= reflect.Uint && k <= reflect.Uintptr
}

// intSchema gives an integer type its format, as client generators map
// them back to sized types, and the bounds its size implies where no
// common format does.
func intSchema(t reflect.Type) *schema {
	s := &schema{Type: types{"integer"}}
	bits := t.Bits()
	switch {
	case isInt(t.Kind()) && bits == 64:
		s.Format = "int64"
	case isInt(t.Kind()) && bits == 32:
		s.Format = "int32"
	case isInt(t.Kind()):
		s.Format = "int32"
		s.Minimum = json.Number(strconv.FormatInt(-1<<(bits-1), 10))
		s.Maximum = json.Number(strconv.FormatInt(1<<(bits-1)-1, 10))
	case bits == 64:
		s.Format = "uint64"
		s.Minimum = "0"
	default:
		s.Format = "int64"
		s.Minimum = "0"
		s.Maximum = json.Number(strconv.FormatUint(math.MaxUint64>>(64-bits), 10))
	}
	return s
}

// component returns the name of the component schema of the named
// struct type t, making it if needed.
func (r *reflector) component(t reflect.Type) string {
	if name, ok := r.names[t]; ok {
		return name
	}
	name := r.nameFor(t)
	r.names[t] = name
	r.defs.set(name, nil) // holds the name's place: t may contain itself
	r.defs.set(name, r.object(t))
	return name
}

var (
	qualifier = regexp.MustCompile(`(?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_~-]+\.|·[0-9]+`)
	nonName   = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// nameFor returns a component name for t that no other type has: its Go
// name, with a generic's type arguments spelled without their packages
// (Page[example.com/shop.Item] is Page_Item), and without the number
// that marks a type declared in a function; then, if that is taken,
// prefixed with its package's name; then numbered.
func (r *reflector) nameFor(t reflect.Type) string {
	base := strings.Trim(nonName.ReplaceAllString(qualifier.ReplaceAllString(t.Name(), ""), "_"), "_")
	if base == "" {
		base = "Object"
	}
	tries := []string{base}
	if p := t.PkgPath(); p != "" {
		tries = append(tries, nonName.ReplaceAllString(p[strings.LastIndex(p, "/")+1:], "_")+"."+base)
	}
	for i := 2; ; i++ {
		for _, n := range tries {
			if !r.taken[n] {
				r.taken[n] = true
				return n
			}
		}
		tries = []string{base + strconv.Itoa(i)}
	}
}

// object returns the schema of a struct's JSON object: its fields as
// encoding/json finds them, each with what its validate tag says.
func (r *reflector) object(t reflect.Type) *schema {
	s := &schema{Type: types{"object"}}
	for _, f := range jsonFields(t) {
		tag := f.sf.Tag.Get("validate")
		req := requiredRule(tag)
		if req {
			s.Required = append(s.Required, f.name)
		}
		s.Properties.set(f.name, r.fieldSchema(f.sf.Type, tag, f.quoted, !req && !f.omitEmpty && !f.omitZero))
	}
	return s
}

// fieldSchema returns the schema of a value of type t held in a field
// with the validate tag. canBeNil says whether the field may be
// written as null, if its type can be nil (pointers, slices and maps):
// not when it is omitted when empty, or must be given.
func (r *reflector) fieldSchema(t reflect.Type, tag string, quoted, canBeNil bool) *schema {
	elem := t
	if t.Kind() == reflect.Pointer {
		elem = t.Elem()
	}
	var s *schema
	if quoted && quotable(elem) {
		s = &schema{Type: types{"string"}} // the `json:",string"` option
	} else {
		s = r.schemaOf(elem)
		constrain(s, elem, tag)
	}
	if k := t.Kind(); canBeNil && (k == reflect.Pointer || k == reflect.Slice || k == reflect.Map) {
		s = nullable(s)
	}
	return s
}

func quotable(t reflect.Type) bool {
	switch k := t.Kind(); {
	case k == reflect.Bool, k == reflect.String, isInt(k), isUint(k), k == reflect.Float32, k == reflect.Float64:
		return !implements(t, jsonMarshaler) && !implements(t, textMarshaler)
	}
	return false
}

// A jsonField is a member of a struct's JSON object.
type jsonField struct {
	name                string
	sf                  reflect.StructField
	index               []int // from the outer struct, through embedded ones
	tagged              bool
	omitEmpty, omitZero bool
	quoted              bool
}

// jsonFields lists the members of t's JSON object, in field order, by
// encoding/json's rules: fields of embedded structs are promoted; of
// fields with the same name the shallowest wins, then the tagged one,
// and if that leaves more than one, none does.
func jsonFields(t reflect.Type) []jsonField {
	type level struct {
		t     reflect.Type
		index []int
	}
	var all []jsonField
	seen := map[reflect.Type]bool{}
	for next := []level{{t: t}}; len(next) > 0; {
		cur := next
		next = nil
		for _, l := range cur {
			if seen[l.t] {
				continue
			}
			seen[l.t] = true
			for sf := range l.t.Fields() {
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clone(l.index), sf.Index...)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, level{t: ft, index: index})
					continue
				}
				f := jsonField{name: name, sf: sf, index: index, tagged: name != ""}
				if name == "" {
					f.name = sf.Name
				}
				for o := range strings.SplitSeq(opts, ",") {
					switch o {
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
					case "string":
						f.quoted = true
					}
				}
				all = append(all, f)
			}
		}
	}
	var out []jsonField
	byName := map[string][]jsonField{}
	for _, f := range all {
		byName[f.name] = append(byName[f.name], f)
	}
	for _, f := range all {
		if dominant(f, byName[f.name]) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out
}

// dominant reports whether f is the one of the same-named fields that
// encoding/json keeps.
func dominant(f jsonField, same []jsonField) bool {
	depth := len(f.index)
	rivals, tagged := 0, 0
	for _, g := range same {
		if len(g.index) < depth {
			return false
		}
		if len(g.index) == depth {
			rivals++
			if g.tagged {
				tagged++
			}
		}
	}
	return rivals == 1 || (f.tagged && tagged == 1)
}
