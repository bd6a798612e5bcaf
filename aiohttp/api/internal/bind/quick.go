package bind

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// A check says, for the common validate tags, whether a value surely
// passes them, without go-playground/validator's walk of the value, which
// boxes every field it visits and was most of the typed layer's cost per
// request (BENCHMARKS.md, "Typed APIs"). Bind asks the check first and
// runs the validator only when the check cannot vouch for the value: so
// the validator still writes every problem, and the check only has to be
// right when it says yes. Types with tags or fields it does not know get
// no check, and always the validator.
//
// It knows required, omitempty (first), min, max, len, gt, gte, lt, lte
// and dive (of a slice or array) on strings, booleans, numbers, slices,
// arrays and maps, pointers to them, and structs (other than time.Time)
// without tags, whose fields it checks in turn.
type check struct {
	ptr       bool // the value is a pointer: nil passes only omitempty
	omitEmpty bool
	required  bool
	measure   measure
	bounds    []bound
	elem      *check       // dive: each element's check
	fields    []fieldCheck // a struct's
}

type fieldCheck struct {
	index int
	check *check
}

// measure is what the bounds compare: a length, a rune count or a value.
type measure uint8

const (
	byLen measure = iota
	byRunes
	byInt
	byUint
	byFloat
)

type bound struct {
	op string // min, max, len, gt, gte, lt, lte
	i  int64
	u  uint64
	f  float64
}

var valuerType = reflect.TypeFor[validator.Valuer]()

// checkFor returns the check of struct type t, or nil if t has a tag or
// a field the check does not know. path holds the struct types being
// planned, so that a recursive type gets none.
func checkFor(t reflect.Type, path map[reflect.Type]bool) *check {
	if t.Kind() != reflect.Struct || t == timeType || path[t] || hasValuer(t) {
		return nil
	}
	path[t] = true
	defer delete(path, t)
	c := &check{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil
		}
		tag := sf.Tag.Get("validate")
		if !sf.IsExported() || tag == "-" {
			continue // the validator skips them too
		}
		if _, ok := sf.Tag.Lookup("depends"); ok {
			continue // filled after binding, and never validated
		}
		fc := checkOf(sf.Type, tag, path)
		if fc == nil {
			return nil
		}
		c.fields = append(c.fields, fieldCheck{index: i, check: fc})
	}
	return c
}

// checkOf plans the check of a value of type t under the validate tag.
func checkOf(t reflect.Type, tag string, path map[reflect.Type]bool) *check {
	c := &check{}
	if t.Kind() == reflect.Pointer {
		c.ptr, t = true, t.Elem()
	}
	if hasValuer(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if tag != "" {
			return nil
		}
		if t == timeType {
			return c
		}
		sc := checkFor(t, path)
		if sc == nil {
			return nil
		}
		c.fields = sc.fields
		return c
	case reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		if tag != "" || t.Kind() == reflect.Interface {
			return nil
		}
		return c
	}
	if tag == "" {
		return c
	}
	if strings.ContainsAny(tag, "|'") {
		return nil
	}
	tags := strings.Split(tag, ",")
	for i, tg := range tags {
		name, param, _ := strings.Cut(tg, "=")
		switch name {
		case "omitempty":
			if i != 0 {
				return nil
			}
			c.omitEmpty = true
		case "required":
			c.required = true
		case "min", "max", "len", "gt", "gte", "lt", "lte":
			b, m, ok := parseBound(t, name, param)
			if !ok {
				return nil
			}
			c.measure = m
			c.bounds = append(c.bounds, b)
		case "dive":
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
				return nil
			}
			et := t.Elem()
			if et.Kind() == reflect.Pointer && et.Elem().Kind() == reflect.Struct {
				return nil // the validator's nil element rules: leave them to it
			}
			c.elem = checkOf(et, strings.Join(tags[i+1:], ","), path)
			if c.elem == nil {
				return nil
			}
			return c
		default:
			return nil
		}
	}
	return c
}

// parseBound reads a bound's parameter as the validator does for a value
// of type t: a count for strings and collections, a number for numbers.
func parseBound(t reflect.Type, op, param string) (bound, measure, bool) {
	b := bound{op: op}
	var err error
	switch t.Kind() {
	case reflect.String:
		b.i, err = strconv.ParseInt(param, 0, 64)
		return b, byRunes, err == nil
	case reflect.Slice, reflect.Array, reflect.Map:
		b.i, err = strconv.ParseInt(param, 0, 64)
		return b, byLen, err == nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == durationType {
			return b, 0, false // the validator reads its bounds as durations
		}
		b.i, err = strconv.ParseInt(param, 0, 64)
		return b, byInt, err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.u, err = strconv.ParseUint(param, 0, 64)
		return b, byUint, err == nil
	case reflect.Float32, reflect.Float64:
		b.f, err = strconv.ParseFloat(param, 64)
		return b, byFloat, err == nil
	}
	return b, 0, false
}

func hasValuer(t reflect.Type) bool {
	return t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType)
}

// ok reports whether v surely passes the check.
func (c *check) ok(v reflect.Value) bool {
	if c.ptr {
		if v.IsNil() {
			return c.omitEmpty || (!c.required && len(c.bounds) == 0 && c.elem == nil)
		}
		v = v.Elem()
	} else if c.omitEmpty && !hasValue(v) {
		return true
	}
	if c.required && !hasValue(v) {
		return false
	}
	for i := range c.bounds {
		if !c.bounds[i].ok(v, c.measure) {
			return false
		}
	}
	if c.elem != nil {
		for i := range v.Len() {
			if !c.elem.ok(v.Index(i)) {
				return false
			}
		}
	}
	for i := range c.fields {
		if !c.fields[i].check.ok(v.Field(c.fields[i].index)) {
			return false
		}
	}
	return true
}

// hasValue is the validator's "required": a slice, map or pointer that
// is not nil, anything else not its zero value.
func hasValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer:
		return !v.IsNil()
	}
	return !v.IsZero()
}

func (b *bound) ok(v reflect.Value, m measure) bool {
	switch m {
	case byRunes:
		return cmp(int64(utf8.RuneCountInString(v.String())), b.i, b.op)
	case byLen:
		return cmp(int64(v.Len()), b.i, b.op)
	case byInt:
		return cmp(v.Int(), b.i, b.op)
	case byUint:
		return cmp(v.Uint(), b.u, b.op)
	case byFloat:
		return cmp(v.Float(), b.f, b.op)
	}
	return false
}

func cmp[T int64 | uint64 | float64](x, p T, op string) bool {
	switch op {
	case "min", "gte":
		return x >= p
	case "max", "lte":
		return x <= p
	case "len":
		return x == p
	case "gt":
		return x > p
	case "lt":
		return x < p
	}
	return false
}
