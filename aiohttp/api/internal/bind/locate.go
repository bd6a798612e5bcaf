package bind

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// locate returns where in data, a JSON value that would not decode into
// a t, the trouble is: the path of the innermost member or element that
// fails on its own, as ".items[1].n", or "" if it is data itself.
// encoding/json names only the struct fields of a type error, without
// the array indices, and nothing at all for the error of an
// UnmarshalJSON or UnmarshalText (a bad time, a bad base64 string). It
// runs only for a body already refused, so it simply decodes again,
// part by part.
func locate(t reflect.Type, data []byte) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p := reflect.PointerTo(t); p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		return "" // decoded as a whole
	}
	fails := func(t reflect.Type, raw []byte) bool {
		return json.Unmarshal(raw, reflect.New(t).Interface()) != nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return ""
		}
		for _, f := range reflect.VisibleFields(t) {
			name, ok := jsonName(f)
			if !ok {
				continue
			}
			if raw, found := member(members, name); found && fails(f.Type, raw) {
				return "." + name + locate(f.Type, raw)
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return "" // []byte is one base64 string
		}
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) != nil {
			return ""
		}
		for i, raw := range elems {
			if fails(t.Elem(), raw) {
				return fmt.Sprintf("[%d]", i) + locate(t.Elem(), raw)
			}
		}
	case reflect.Map:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return ""
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range members {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			if fails(t.Elem(), members[k]) {
				return "." + k + locate(t.Elem(), members[k])
			}
		}
	}
	return ""
}

// jsonName returns the member name encoding/json gives f, if it is one:
// not unexported, not "-", not an embedded struct whose fields are
// promoted (VisibleFields lists those too).
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" || !f.IsExported() && !f.Anonymous {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if f.Anonymous && name == "" {
		t := f.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			return "", false
		}
	}
	if !f.IsExported() {
		return "", false
	}
	if name == "" {
		name = f.Name
	}
	return name, true
}

// member finds name among members as encoding/json does: exactly, or
// else ignoring case.
func member(members map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if raw, ok := members[name]; ok {
		return raw, true
	}
	for k, raw := range members {
		if strings.EqualFold(k, name) {
			return raw, true
		}
	}
	return nil, false
}
