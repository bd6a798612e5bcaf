package bind

import "reflect"

// A Param is one bound field of an input, as a plan binds it: what the
// OpenAPI document says of the input.
type Param struct {
	Field reflect.StructField
	// In is where the value comes from: "path", "query", "header",
	// "cookie", "form" or "body".
	In   string
	Name string // the parameter's name; "body" for the body
	// Elem is the type of one value: the field's type without its
	// pointer (Optional) or slice (Repeated); the field's own type for
	// the body.
	Elem     reflect.Type
	Optional bool
	Repeated bool
	// File is set for an uploaded file of a multipart form
	// (*multipart.FileHeader, or a slice of them).
	File bool
}

// Params lists the fields the plan binds, in field order.
func (p *Plan) Params() []Param {
	out := make([]Param, 0, len(p.fields))
	for _, f := range p.fields {
		sf := p.t.FieldByIndex(f.index)
		d := Param{Field: sf, In: sourceTags[f.src], Name: f.name, Elem: sf.Type, Optional: f.ptr, Repeated: f.slice, File: f.file}
		if f.ptr || f.slice {
			d.Elem = sf.Type.Elem()
		}
		out = append(out, d)
	}
	return out
}
