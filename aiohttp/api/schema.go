package api

import (
	"bytes"
	"encoding/json"
	"slices"
)

// A schema is a JSON Schema (draft 2020-12), as OpenAPI 3.1's Schema
// Object is. It has the keywords the reflector writes and no others.
type schema struct {
	Ref                  string           `json:"$ref,omitempty"`
	Type                 types            `json:"type,omitempty"`
	Format               string           `json:"format,omitempty"`
	ContentEncoding      string           `json:"contentEncoding,omitempty"`
	ContentMediaType     string           `json:"contentMediaType,omitempty"`
	Description          string           `json:"description,omitempty"`
	Enum                 []any            `json:"enum,omitempty"`
	Pattern              string           `json:"pattern,omitempty"`
	MinLength            *uint64          `json:"minLength,omitempty"`
	MaxLength            *uint64          `json:"maxLength,omitempty"`
	Minimum              json.Number      `json:"minimum,omitempty"`
	Maximum              json.Number      `json:"maximum,omitempty"`
	Items                *schema          `json:"items,omitempty"`
	MinItems             *uint64          `json:"minItems,omitempty"`
	MaxItems             *uint64          `json:"maxItems,omitempty"`
	UniqueItems          bool             `json:"uniqueItems,omitempty"`
	Properties           ordered[*schema] `json:"properties,omitzero"`
	Required             []string         `json:"required,omitempty"`
	AdditionalProperties *schema          `json:"additionalProperties,omitempty"`
	PropertyNames        *schema          `json:"propertyNames,omitempty"`
	MinProperties        *uint64          `json:"minProperties,omitempty"`
	MaxProperties        *uint64          `json:"maxProperties,omitempty"`
	AnyOf                []*schema        `json:"anyOf,omitempty"`
}

// types is a schema's "type": one name, or a list when the value may
// also be null.
type types []string

func (t types) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return json.Marshal(t[0])
	}
	return json.Marshal([]string(t))
}

// nullable returns s that also admits null: ["integer", "null"] for a
// schema with a type; for a reference, anyOf it and null, which is
// also the form client generators (ogen) read as nullable. A schema
// with no type admits null already.
func nullable(s *schema) *schema {
	switch {
	case len(s.AnyOf) > 0 && slices.Equal(s.AnyOf[len(s.AnyOf)-1].Type, types{"null"}):
		return s
	case s.Ref != "" || len(s.AnyOf) > 0:
		return &schema{AnyOf: []*schema{s, {Type: types{"null"}}}}
	case len(s.Type) == 0 || slices.Contains(s.Type, "null"):
		return s
	}
	s.Type = append(s.Type, "null")
	if len(s.Enum) > 0 {
		s.Enum = append(s.Enum, nil)
	}
	return s
}

// An ordered is a JSON object whose members keep the order they were
// set in, so that the document reads as the code does: properties in
// field order, paths in registration order.
type ordered[V any] struct {
	keys []string
	m    map[string]V
}

func (o *ordered[V]) set(k string, v V) {
	if o.m == nil {
		o.m = map[string]V{}
	}
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

func (o *ordered[V]) get(k string) (V, bool) {
	v, ok := o.m[k]
	return v, ok
}

func (o ordered[V]) IsZero() bool { return len(o.keys) == 0 }

func (o ordered[V]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.m[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
