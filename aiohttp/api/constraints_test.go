package api

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestValidateTagsAsKeywords(t *testing.T) {
	cases := []struct {
		typ  reflect.Type
		tag  string
		want string
	}{
		{reflect.TypeFor[int](), "min=1,max=10", `{"type":"integer","format":"int64","minimum":1,"maximum":10}`},
		{reflect.TypeFor[int](), "gte=0x10,lte=20", `{"type":"integer","format":"int64","minimum":16,"maximum":20}`},
		// Exclusive bounds as inclusive ones: exact for integers, a little
		// looser for floats.
		{reflect.TypeFor[uint8](), "gt=0,lt=9", `{"type":"integer","format":"int64","minimum":1,"maximum":8}`},
		{reflect.TypeFor[int](), "gt=-5,lt=-1", `{"type":"integer","format":"int64","minimum":-4,"maximum":-2}`},
		{reflect.TypeFor[float64](), "gt=0.5,lte=1e3", `{"type":"number","format":"double","minimum":0.5,"maximum":1000}`},
		{reflect.TypeFor[float32](), "lt=2", `{"type":"number","format":"float","maximum":2}`},
		{reflect.TypeFor[int](), "len=3", `{"type":"integer","format":"int64","minimum":3,"maximum":3}`},
		{reflect.TypeFor[string](), "min=2,max=5", `{"type":"string","minLength":2,"maxLength":5}`},
		{reflect.TypeFor[string](), "gt=2,lt=5", `{"type":"string","minLength":3,"maxLength":4}`},
		{reflect.TypeFor[string](), "len=4", `{"type":"string","minLength":4,"maxLength":4}`},
		{reflect.TypeFor[[]int](), "min=1,max=3,unique", `{"type":"array","items":{"type":"integer","format":"int64"},"minItems":1,"maxItems":3,"uniqueItems":true}`},
		{reflect.TypeFor[map[string]int](), "min=1,max=2", `{"type":"object","additionalProperties":{"type":"integer","format":"int64"},"minProperties":1,"maxProperties":2}`},
		{reflect.TypeFor[string](), "oneof=red green 'light blue'", `{"type":"string","enum":["red","green","light blue"]}`},
		{reflect.TypeFor[int](), "oneof=1 2 3", `{"type":"integer","format":"int64","enum":[1,2,3]}`},
		{reflect.TypeFor[*string](), "omitempty,oneof=a b", `{"type":"string","enum":["a","b"]}`},
		{reflect.TypeFor[string](), "eq=x", `{"type":"string","enum":["x"]}`},
		{reflect.TypeFor[string](), "required,email", `{"type":"string","format":"email"}`},
		{reflect.TypeFor[string](), "url", `{"type":"string","format":"uri"}`},
		{reflect.TypeFor[string](), "uri", `{"type":"string","format":"uri-reference"}`},
		{reflect.TypeFor[string](), "uuid", `{"type":"string","format":"uuid"}`},
		{reflect.TypeFor[string](), "ipv4", `{"type":"string","format":"ipv4"}`},
		{reflect.TypeFor[string](), "hostname_rfc1123", `{"type":"string","format":"hostname"}`},
		{reflect.TypeFor[string](), "alphanum", `{"type":"string","pattern":"^[a-zA-Z0-9]+$"}`},
		{reflect.TypeFor[string](), "alpha", `{"type":"string","pattern":"^[a-zA-Z]+$"}`},
		{reflect.TypeFor[string](), "numeric", `{"type":"string","pattern":"^[-+]?[0-9]+(?:\\.[0-9]+)?$"}`},
		{reflect.TypeFor[string](), "startswith=a.b", `{"type":"string","pattern":"^a\\.b"}`},
		{reflect.TypeFor[[]string](), "max=2,dive,email,max=9", `{"type":"array","items":{"type":"string","format":"email","maxLength":9},"maxItems":2}`},
		{reflect.TypeFor[[][]int](), "dive,min=1,dive,max=3", `{"type":"array","items":{"type":["array","null"],"items":{"type":"integer","format":"int64","maximum":3},"minItems":1}}`},
		{reflect.TypeFor[map[string]string](), "dive,keys,alpha,endkeys,max=4", `{"type":"object","additionalProperties":{"type":"string","maxLength":4},"propertyNames":{"type":"string","pattern":"^[a-zA-Z]+$"}}`},
		// No exact keyword: left out.
		{reflect.TypeFor[string](), "required_if=Other 1,lowercase,ip", `{"type":"string"}`},
		{reflect.TypeFor[string](), "min=1|eq=", `{"type":"string"}`},
		{reflect.TypeFor[time.Duration](), "min=1s", `{"type":"integer","format":"int64","description":"nanoseconds"}`},
		{reflect.TypeFor[time.Time](), "gt", `{"type":"string","format":"date-time"}`},
		{reflect.TypeFor[[]byte](), "max=10", `{"type":"string","format":"byte","contentEncoding":"base64"}`},
		{reflect.TypeFor[int](), "min=abc", `{"type":"integer","format":"int64"}`},
		{reflect.TypeFor[netipLike](), "min=3", `{"type":"string"}`},
	}
	for _, c := range cases {
		t.Run(c.typ.String()+" "+c.tag, func(t *testing.T) {
			s := newReflector().fieldSchema(c.typ, c.tag, false, false)
			got, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, string(got), c.want)
		})
	}
}

// netipLike is a number written as text: validator's min would count
// its digits, which the schema's string does not say.
type netipLike int

func (n netipLike) MarshalText() ([]byte, error) { return []byte("1"), nil }

func TestRequiredAndNullable(t *testing.T) {
	type body struct {
		A *int    `json:"a" validate:"required"`
		B *int    `json:"b"`
		C *int    `json:"c,omitempty"`
		D []int   `json:"d" validate:"required,min=1"`
		E []int   `json:"e"`
		F *string `json:"f" validate:"omitempty,max=3"`
		K *string `json:"k" validate:"omitempty,oneof=a b"`
		G struct {
			H string `json:"h" validate:"required"`
		} `json:"g" validate:"required"`
	}
	r := newReflector()
	got, _ := json.Marshal(r.object(reflect.TypeFor[body]()))
	sameJSON(t, string(got), `{"type":"object","properties":{
		"a":{"type":"integer","format":"int64"},
		"b":{"type":["integer","null"],"format":"int64"},
		"c":{"type":"integer","format":"int64"},
		"d":{"type":"array","items":{"type":"integer","format":"int64"},"minItems":1},
		"e":{"type":["array","null"],"items":{"type":"integer","format":"int64"}},
		"f":{"type":["string","null"],"maxLength":3},
		"k":{"type":["string","null"],"enum":["a","b",null]},
		"g":{"type":"object","properties":{"h":{"type":"string"}},"required":["h"]}},
		"required":["a","d","g"]}`)
}
