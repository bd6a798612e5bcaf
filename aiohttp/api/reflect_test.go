package api

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"
)

// reflected returns the JSON of t's schema, and of the components it
// made, if any.
func reflected(t *testing.T, typ reflect.Type) string {
	t.Helper()
	r := newReflector()
	s := r.schemaOf(typ)
	out := map[string]any{"schema": s}
	if !r.defs.IsZero() {
		out["defs"] = r.defs
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compact respaces want, JSON written to be read, as json.Marshal
// writes it.
func compact(t *testing.T, want string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(want), &v); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	// Marshal through the same kind of value as reflected does, so
	// that key order is comparable: objects are sorted by both.
	b, _ := json.Marshal(v)
	return string(b)
}

func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	if string(gb) != compact(t, want) {
		t.Errorf("got  %s\nwant %s", gb, compact(t, want))
	}
}

type color string

type level int8

type stamp struct{ t time.Time }

func (s stamp) MarshalText() ([]byte, error) { return []byte("x"), nil }

type base struct {
	ID      int64  `json:"id"`
	Created string `json:"created"`
	Hidden  string `json:"hidden"`
}

type Inner struct {
	Hidden string `json:"hidden"` // shallower than base's: it wins
}

type node struct {
	Value    int     `json:"value"`
	Children []*node `json:"children,omitempty"`
	Parent   *node   `json:"parent"`
}

type tree []tree

type page[T any] struct {
	Items []T `json:"items" validate:"required"`
}

func TestSchemaKinds(t *testing.T) {
	cases := []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"bool", reflect.TypeFor[bool](), `{"schema":{"type":"boolean"}}`},
		{"string", reflect.TypeFor[string](), `{"schema":{"type":"string"}}`},
		{"named string", reflect.TypeFor[color](), `{"schema":{"type":"string"}}`},
		{"int", reflect.TypeFor[int](), `{"schema":{"type":"integer","format":"int64"}}`},
		{"int32", reflect.TypeFor[int32](), `{"schema":{"type":"integer","format":"int32"}}`},
		{"int8", reflect.TypeFor[level](), `{"schema":{"type":"integer","format":"int32","minimum":-128,"maximum":127}}`},
		{"uint16", reflect.TypeFor[uint16](), `{"schema":{"type":"integer","format":"int64","minimum":0,"maximum":65535}}`},
		{"uint64", reflect.TypeFor[uint64](), `{"schema":{"type":"integer","format":"uint64","minimum":0}}`},
		{"float32", reflect.TypeFor[float32](), `{"schema":{"type":"number","format":"float"}}`},
		{"float64", reflect.TypeFor[float64](), `{"schema":{"type":"number","format":"double"}}`},
		{"pointer", reflect.TypeFor[*int](), `{"schema":{"type":["integer","null"],"format":"int64"}}`},
		{"pointer to pointer", reflect.TypeFor[**int](), `{"schema":{"type":["integer","null"],"format":"int64"}}`},
		{"pointer to struct", reflect.TypeFor[**base](), `{"schema":{"anyOf":[{"$ref":"#/components/schemas/base"},{"type":"null"}]},"defs":{"base":{"type":"object","properties":{"id":{"type":"integer","format":"int64"},"created":{"type":"string"},"hidden":{"type":"string"}}}}}`},
		{"slice", reflect.TypeFor[[]string](), `{"schema":{"type":"array","items":{"type":"string"}}}`},
		{"array", reflect.TypeFor[[3]int16](), `{"schema":{"type":"array","items":{"type":"integer","format":"int32","minimum":-32768,"maximum":32767},"minItems":3,"maxItems":3}}`},
		{"bytes", reflect.TypeFor[[]byte](), `{"schema":{"type":"string","format":"byte","contentEncoding":"base64"}}`},
		{"byte array", reflect.TypeFor[[2]byte](), `{"schema":{"type":"array","items":{"type":"integer","format":"int64","minimum":0,"maximum":255},"minItems":2,"maxItems":2}}`},
		{"map", reflect.TypeFor[map[string]float64](), `{"schema":{"type":"object","additionalProperties":{"type":"number","format":"double"}}}`},
		{"map of slices", reflect.TypeFor[map[string][]int](), `{"schema":{"type":"object","additionalProperties":{"type":["array","null"],"items":{"type":"integer","format":"int64"}}}}`},
		{"int keys", reflect.TypeFor[map[int]bool](), `{"schema":{"type":"object","additionalProperties":{"type":"boolean"},"propertyNames":{"type":"string","pattern":"^-?[0-9]+$"}}}`},
		{"text keys", reflect.TypeFor[map[netip.Addr]int](), `{"schema":{"type":"object","additionalProperties":{"type":"integer","format":"int64"}}}`},
		{"time", reflect.TypeFor[time.Time](), `{"schema":{"type":"string","format":"date-time"}}`},
		{"*time", reflect.TypeFor[*time.Time](), `{"schema":{"type":["string","null"],"format":"date-time"}}`},
		{"duration", reflect.TypeFor[time.Duration](), `{"schema":{"type":"integer","format":"int64","description":"nanoseconds"}}`},
		{"raw", reflect.TypeFor[json.RawMessage](), `{"schema":{}}`},
		{"any", reflect.TypeFor[any](), `{"schema":{}}`},
		{"text marshaler", reflect.TypeFor[stamp](), `{"schema":{"type":"string"}}`},
		{"text marshaler by pointer", reflect.TypeFor[netip.Addr](), `{"schema":{"type":"string"}}`},
		{"chan", reflect.TypeFor[chan int](), `{"schema":{}}`},
		{"anonymous struct", reflect.TypeFor[struct {
			A int `json:"a"`
		}](), `{"schema":{"type":"object","properties":{"a":{"type":"integer","format":"int64"}}}}`},
		{"empty struct", reflect.TypeFor[struct{}](), `{"schema":{"type":"object"}}`},
		{"recursive", reflect.TypeFor[node](), `{"schema":{"$ref":"#/components/schemas/node"},"defs":{"node":{"type":"object","properties":{
			"value":{"type":"integer","format":"int64"},
			"children":{"type":"array","items":{"anyOf":[{"$ref":"#/components/schemas/node"},{"type":"null"}]}},
			"parent":{"anyOf":[{"$ref":"#/components/schemas/node"},{"type":"null"}]}}}}}`},
		{"recursive slice", reflect.TypeFor[tree](), `{"schema":{"type":"array","items":{}}}`},
		{"generic", reflect.TypeFor[page[base]](), `{"schema":{"$ref":"#/components/schemas/page_base"},"defs":{
			"page_base":{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/base"}}},"required":["items"]},
			"base":{"type":"object","properties":{"id":{"type":"integer","format":"int64"},"created":{"type":"string"},"hidden":{"type":"string"}}}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { sameJSON(t, reflected(t, c.typ), c.want) })
	}
}

type tagged struct {
	base
	*Inner
	Name     string   `json:"name,omitempty"`
	Skip     string   `json:"-"`
	Dash     string   `json:"-,"`
	Count    int64    `json:"count,string"`
	Ok       *bool    `json:"ok,string"`
	Tags     []string `json:"tags"`
	Opt      []string `json:"opt,omitempty"`
	Zero     []string `json:"zero,omitzero"`
	Must     []string `json:"must" validate:"required"`
	Meta     map[string]string
	NoTag    int
	private  int
	Created  string `json:"created"` // shallower than base's: it wins
	Conflict int    `json:"conflict"`
}

func TestSchemaJSONTags(t *testing.T) {
	got := reflected(t, reflect.TypeFor[tagged]())
	sameJSON(t, got, `{"schema":{"$ref":"#/components/schemas/tagged"},"defs":{"tagged":{"type":"object","properties":{
		"id":{"type":"integer","format":"int64"},
		"name":{"type":"string"},
		"-":{"type":"string"},
		"count":{"type":"string"},
		"ok":{"type":["string","null"]},
		"tags":{"type":["array","null"],"items":{"type":"string"}},
		"opt":{"type":"array","items":{"type":"string"}},
		"zero":{"type":"array","items":{"type":"string"}},
		"must":{"type":"array","items":{"type":"string"}},
		"Meta":{"type":["object","null"],"additionalProperties":{"type":"string"}},
		"NoTag":{"type":"integer","format":"int64"},
		"created":{"type":"string"},
		"conflict":{"type":"integer","format":"int64"}},
		"required":["must"]}}}`)

	// The properties are the members encoding/json writes, in its order.
	v := tagged{Inner: &Inner{}, Name: "n", Opt: []string{"o"}, Zero: []string{}, private: 1}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token()
	var members []string
	for dec.More() {
		k, _ := dec.Token()
		members = append(members, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	r := newReflector()
	r.schemaOf(reflect.TypeFor[tagged]())
	s, _ := r.defs.get("tagged")
	if !slices.Equal(s.Properties.keys, members) {
		t.Errorf("properties %v\nencoding/json writes %v", s.Properties.keys, members)
	}
}

// Two fields of one name at the same depth, neither tagged, cancel out,
// as encoding/json has it.
func TestSchemaAmbiguousFieldsDropped(t *testing.T) {
	type A struct{ X int }
	type B struct{ X string }
	sameJSON(t, reflected(t, reflect.TypeFor[struct {
		A
		B
		Y int
	}]()), `{"schema":{"type":"object","properties":{"Y":{"type":"integer","format":"int64"}}}}`)
}

var pageOfBase = reflect.TypeFor[page[base]]()

func TestComponentNamesUnique(t *testing.T) {
	type Problem struct{ A int } // the name the document's own schema has
	type base struct{ B int }    // as a type of another package would
	r := newReflector("Problem")
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Problem](),
		reflect.TypeFor[base](),
		reflect.TypeFor[page[base]](),
		reflect.TypeFor[page[base]](),
		pageOfBase, // of the package's base
		reflect.TypeFor[base](),
	} {
		r.schemaOf(typ)
	}
	want := []string{"api.Problem", "base", "page_base", "api.page_base", "api.base"}
	if !slices.Equal(r.defs.keys, want) {
		t.Errorf("components %v, want %v", r.defs.keys, want)
	}
	for _, k := range r.defs.keys {
		if !regexp.MustCompile(`^[a-zA-Z0-9._-]+$`).MatchString(k) {
			t.Errorf("component name %q is not one OpenAPI takes", k)
		}
	}
}
