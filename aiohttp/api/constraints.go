package api

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// requiredRule reports whether a validate tag requires its value: a
// "required" before any "dive".
func requiredRule(tag string) bool {
	for rule := range strings.SplitSeq(tag, ",") {
		switch rule {
		case "required":
			return true
		case "dive":
			return false
		}
	}
	return false
}

// formats are the validator tags that are a JSON Schema format.
var formats = map[string]string{
	"email":            "email",
	"url":              "uri",
	"http_url":         "uri",
	"uri":              "uri-reference", // validator's uri takes a path alone
	"uuid":             "uuid",
	"uuid3":            "uuid",
	"uuid4":            "uuid",
	"uuid5":            "uuid",
	"uuid_rfc4122":     "uuid",
	"ipv4":             "ipv4",
	"ipv6":             "ipv6",
	"hostname_rfc1123": "hostname",
}

// patterns are the validator tags that are a regular expression, the
// same one validator matches.
var patterns = map[string]string{
	"alpha":       "^[a-zA-Z]+$",
	"alphanum":    "^[a-zA-Z0-9]+$",
	"numeric":     `^[-+]?[0-9]+(?:\.[0-9]+)?$`,
	"number":      "^[0-9]+$",
	"hexadecimal": "^(0[xX])?[0-9a-fA-F]+$",
	"hexcolor":    "^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$",
	"e164":        `^\+?[1-9][0-9]{7,14}$`,
}

// constrain adds to s, the schema of a value of type t, the keywords
// that say what the validate tag checks, where one says it exactly (or
// a little more loosely, as a format may). Rules with no such keyword
// (cross-field rules, "|" alternatives, custom tags) are left out: the
// document then admits more than the operation takes, never less.
//
// Rules after "dive" apply to the elements of a slice, array or map;
// "keys" to "endkeys" right after it to a map's keys.
func constrain(s *schema, t reflect.Type, tag string) {
	if tag == "" || s == nil {
		return
	}
	own, elems, _ := strings.Cut(tag, ",dive")
	if strings.HasPrefix(tag, "dive") {
		own, elems = "", strings.TrimPrefix(tag, "dive")
	}
	for rule := range strings.SplitSeq(own, ",") {
		if rule == "" || strings.Contains(rule, "|") {
			continue
		}
		name, param, _ := strings.Cut(rule, "=")
		apply(s, t, name, param)
	}
	if elems == "" && !strings.HasSuffix(tag, "dive") {
		return
	}
	elems = strings.TrimPrefix(elems, ",")
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		constrain(target(s.Items), deref(t.Elem()), elems)
	case reflect.Map:
		if keys, ok := strings.CutPrefix(elems, "keys,"); ok {
			keys, elems, _ = strings.Cut(keys, ",endkeys")
			elems = strings.TrimPrefix(elems, ",")
			if s.PropertyNames == nil && s.Type != nil {
				s.PropertyNames = &schema{Type: types{"string"}}
			}
			constrain(s.PropertyNames, t.Key(), keys)
		}
		constrain(target(s.AdditionalProperties), deref(t.Elem()), elems)
	}
}

// target is the schema that rules on a value apply to: not a reference
// (it is the component's, shared), nor the anyOf that makes one
// nullable.
func target(s *schema) *schema {
	if s == nil || s.Ref != "" || len(s.AnyOf) > 0 {
		return nil
	}
	return s
}

func deref(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// apply adds what one rule checks to s.
func apply(s *schema, t reflect.Type, name, param string) {
	if target(s) == nil || len(s.Type) == 0 || !sameKind(s.Type[0], t) {
		return
	}
	if f, ok := formats[name]; ok && s.Type[0] == "string" {
		s.Format = f
		return
	}
	if p, ok := patterns[name]; ok && s.Type[0] == "string" {
		setPattern(s, p)
		return
	}
	switch name {
	case "startswith":
		setPattern(s, "^"+regexp.QuoteMeta(param))
		return
	case "endswith":
		setPattern(s, regexp.QuoteMeta(param)+"$")
		return
	case "contains":
		setPattern(s, regexp.QuoteMeta(param))
		return
	case "unique":
		if s.Type[0] == "array" {
			s.UniqueItems = true
		}
		return
	case "oneof":
		s.Enum = nil
		for _, w := range oneofWords.FindAllString(param, -1) {
			v, ok := literal(t, strings.Trim(w, "'"))
			if !ok {
				s.Enum = nil
				return
			}
			s.Enum = append(s.Enum, v)
		}
		return
	case "eq":
		if s.Type[0] == "string" || s.Type[0] == "integer" || s.Type[0] == "number" {
			if v, ok := literal(t, param); ok {
				s.Enum = []any{v}
			}
			return
		}
	}
	switch s.Type[0] {
	case "integer", "number":
		n, ok := number(t, param)
		if !ok {
			return
		}
		switch name {
		case "min", "gte":
			s.Minimum = n
		case "max", "lte":
			s.Maximum = n
		case "gt":
			s.Minimum = exclusive(t, n, 1)
		case "lt":
			s.Maximum = exclusive(t, n, -1)
		case "len":
			s.Minimum, s.Maximum = n, n
		}
	case "string", "array", "object":
		if s.ContentEncoding != "" {
			return // validator counts bytes, the schema base64 characters
		}
		n, err := strconv.ParseInt(param, 0, 64)
		if err != nil || n < 0 {
			return
		}
		lo, hi := sizes(s)
		switch name {
		case "min", "gte":
			*lo = ptr(uint64(n))
		case "max", "lte":
			*hi = ptr(uint64(n))
		case "gt":
			*lo = ptr(uint64(n) + 1)
		case "lt":
			if n > 0 {
				*hi = ptr(uint64(n) - 1)
			}
		case "len", "eq":
			*lo, *hi = ptr(uint64(n)), ptr(uint64(n))
		}
	}
}

// exclusive returns the inclusive bound that says as much as the
// exclusive bound n: n+1 (or n-1) for an integer, which is exact; n
// itself for a float, which admits n too. JSON Schema has
// exclusiveMinimum for this, but client generators that take OpenAPI
// 3.0's boolean form of it (ogen) refuse a document with 3.1's.
func exclusive(t reflect.Type, n json.Number, step int64) json.Number {
	switch k := t.Kind(); {
	case isInt(k):
		v, err := strconv.ParseInt(string(n), 10, 64)
		if err == nil && (step > 0 && v < math.MaxInt64 || step < 0 && v > math.MinInt64) {
			return json.Number(strconv.FormatInt(v+step, 10))
		}
	case isUint(k):
		v, err := strconv.ParseUint(string(n), 10, 64)
		switch {
		case err == nil && step > 0 && v < math.MaxUint64:
			return json.Number(strconv.FormatUint(v+1, 10))
		case err == nil && step < 0 && v > 0:
			return json.Number(strconv.FormatUint(v-1, 10))
		}
	}
	return n
}

// sameKind reports whether a JSON type is the one of t's kind, as
// validator sees it: not so for a time.Time, or a type written as text
// by its own methods.
func sameKind(json string, t reflect.Type) bool {
	switch k := t.Kind(); json {
	case "integer", "number":
		return isInt(k) || isUint(k) || k == reflect.Float32 || k == reflect.Float64
	case "string":
		return k == reflect.String
	case "array":
		return k == reflect.Slice || k == reflect.Array
	case "object":
		return k == reflect.Map
	}
	return false
}

func ptr[T any](v T) *T { return &v }

// sizes are the keywords that bound the size of s's kind of value.
func sizes(s *schema) (lo, hi **uint64) {
	switch s.Type[0] {
	case "string":
		return &s.MinLength, &s.MaxLength
	case "array":
		return &s.MinItems, &s.MaxItems
	}
	return &s.MinProperties, &s.MaxProperties
}

func setPattern(s *schema, p string) {
	if s.Pattern == "" { // one pattern per schema: a second is left out
		s.Pattern = p
	}
}

// oneofWords splits oneof's parameter as validator does: on spaces,
// but for words in single quotes.
var oneofWords = regexp.MustCompile(`'[^']*'|\S+`)

// literal is the JSON value of a rule's parameter for a value of type t.
func literal(t reflect.Type, p string) (any, bool) {
	switch k := t.Kind(); {
	case k == reflect.String:
		return p, true
	case isInt(k), isUint(k), k == reflect.Float32, k == reflect.Float64:
		return number(t, p)
	}
	return nil, false
}

// number parses a rule's parameter as validator does for t's kind, and
// spells it as JSON does.
func number(t reflect.Type, p string) (json.Number, bool) {
	switch k := t.Kind(); {
	case t == durationType:
		return "", false // the parameter is a duration ("1s")
	case isInt(k):
		n, err := strconv.ParseInt(p, 0, 64)
		return json.Number(strconv.FormatInt(n, 10)), err == nil
	case isUint(k):
		n, err := strconv.ParseUint(p, 0, 64)
		return json.Number(strconv.FormatUint(n, 10)), err == nil
	case k == reflect.Float32 || k == reflect.Float64:
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", false
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	}
	return "", false
}
