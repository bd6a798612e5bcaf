package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

// kindParams has a query parameter of every kind a parameter may be.
type kindParams struct {
	I    int            `query:"i"`
	I8   int8           `query:"i8"`
	I16  int16          `query:"i16"`
	I32  int32          `query:"i32"`
	I64  int64          `query:"i64"`
	U    uint           `query:"u"`
	U8   uint8          `query:"u8"`
	U16  uint16         `query:"u16"`
	U32  uint32         `query:"u32"`
	U64  uint64         `query:"u64"`
	F32  float32        `query:"f32"`
	F64  float64        `query:"f64"`
	B    bool           `query:"b"`
	S    string         `query:"s"`
	T    time.Time      `query:"t"`
	D    time.Duration  `query:"d"`
	Addr netip.Addr     `query:"addr"` // an encoding.TextUnmarshaler
	PI   *int           `query:"pi"`
	PT   *time.Time     `query:"pt"`
	PS   *string        `query:"ps"`
	SI   []int          `query:"si"`
	SS   []string       `query:"ss"`
	ST   []time.Time    `query:"st"`
	SA   []netip.Addr   `query:"sa"`
	H    []string       `header:"X-Tag"`
	C    *int           `cookie:"n"`
	Body *bodyKinds     `body:""`
	_    map[string]int // untagged: not bound
}

// bodyKinds has a member of every kind JSON maps to Go.
type bodyKinds struct {
	Int    int               `json:"int"`
	Uint8  uint8             `json:"uint8"`
	Float  float64           `json:"float"`
	Bool   bool              `json:"bool"`
	String string            `json:"string"`
	Time   time.Time         `json:"time"`
	Ptr    *int              `json:"ptr"`
	Slice  []int             `json:"slice"`
	Array  [2]string         `json:"array"`
	Map    map[string]int    `json:"map"`
	Nested struct{ X int }   `json:"nested"`
	Items  []struct{ N int } `json:"items"`
	Raw    json.RawMessage   `json:"raw"`
	Any    any               `json:"any"`
	Bytes  []byte            `json:"bytes"`
	Addr   netip.Addr        `json:"addr"`
}

// TestEveryKind: a good value of every kind binds; a bad one of every
// kind is a 422 at its location, never a 500.
func TestEveryKind(t *testing.T) {
	a := api.New()
	var got kindParams
	api.Post(a, "/k", func(ctx context.Context, in *kindParams) (*struct{}, error) {
		got = *in
		return nil, nil
	})
	good := "i=-1&i8=-128&i16=300&i32=-70000&i64=9000000000&u=1&u8=255&u16=65535&u32=4000000000&u64=18000000000000000000" +
		"&f32=1.5&f64=-2.25e10&b=true&s=hi&t=2026-12-06T10:00:00%2B01:00&d=1m30s&addr=10.0.0.1&pi=7&pt=2026-01-02T03:04:05Z&ps=" +
		"&si=1&si=2&ss=a&ss=&st=2026-01-01T00:00:00Z&sa=::1&sa=127.0.0.1"
	body := `{"int":-3,"uint8":8,"float":0.5,"bool":true,"string":"s","time":"2026-12-06T00:00:00Z","ptr":null,"slice":[1,2],` +
		`"array":["a","b"],"map":{"k":1},"nested":{"X":2},"items":[{"N":1}],"raw":{"any":[1]},"any":[true],"bytes":"aGk=","addr":"::1"}`
	r := httptest.NewRequest("POST", "/k?"+good, strings.NewReader(body))
	r.Header.Add("X-Tag", "a")
	r.Header.Add("X-Tag", "b")
	r.AddCookie(&http.Cookie{Name: "n", Value: "5"})
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 204 {
		t.Fatalf("good values: %d %s", w.Code, w.Body)
	}
	want := fmt.Sprintln(-1, -128, 300, -70000, 9000000000, 1, 255, 65535, 4000000000, uint64(18000000000000000000), 1.5, -2.25e10, true, "hi",
		"2026-12-06 10:00:00 +0100 +0100", "1m30s", "10.0.0.1", 7, "2026-01-02 03:04:05 +0000 UTC", "", "[1 2]", `[a ]`, 1, "[::1 127.0.0.1]", "[a b]", 5)
	have := fmt.Sprintln(got.I, got.I8, got.I16, got.I32, got.I64, got.U, got.U8, got.U16, got.U32, got.U64, got.F32, got.F64, got.B, got.S,
		got.T, got.D, got.Addr, *got.PI, *got.PT, *got.PS, got.SI, got.SS, len(got.ST), got.SA, got.H, *got.C)
	if have != want {
		t.Errorf("bound\n%s\nwant\n%s", have, want)
	}
	if b := got.Body; b == nil || b.Int != -3 || b.Map["k"] != 1 || b.Nested.X != 2 || string(b.Bytes) != "hi" || string(b.Raw) != `{"any":[1]}` || b.Addr.String() != "::1" {
		t.Errorf("body bound as %+v", got.Body)
	}

	for _, c := range []struct{ query, loc string }{
		{"i=1.5", "query.i"}, {"i8=128", "query.i8"}, {"i16=x", "query.i16"}, {"i32=3000000000", "query.i32"},
		{"i64=9223372036854775808", "query.i64"}, {"u=-1", "query.u"}, {"u8=256", "query.u8"}, {"u16=65536", "query.u16"},
		{"u32=1e3", "query.u32"}, {"u64=18446744073709551616", "query.u64"}, {"f32=1e39", "query.f32"}, {"f64=one", "query.f64"},
		{"b=yes", "query.b"}, {"t=2026-12-06", "query.t"}, {"d=5", "query.d"}, {"addr=10.0.0.256", "query.addr"},
		{"pi=", "query.pi"}, {"pt=now", "query.pt"}, {"si=1&si=x", "query.si[1]"}, {"st=x", "query.st[0]"}, {"sa=::1&sa=h", "query.sa[1]"},
	} {
		r := httptest.NewRequest("POST", "/k?"+c.query, nil)
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != 422 || !strings.Contains(w.Body.String(), `"location":"`+c.loc+`"`) {
			t.Errorf("%s: %d %s, want 422 at %s", c.query, w.Code, w.Body, c.loc)
		}
	}
	for _, c := range []struct{ body, loc string }{
		{`{"int":1.5}`, "body.int"}, {`{"uint8":-1}`, "body.uint8"}, {`{"float":"x"}`, "body.float"}, {`{"bool":1}`, "body.bool"},
		{`{"string":2}`, "body.string"}, {`{"time":"today"}`, "body.time"}, {`{"ptr":"x"}`, "body.ptr"}, {`{"slice":{}}`, "body.slice"},
		{`{"map":[]}`, "body.map"}, {`{"nested":{"X":"y"}}`, "body.nested.X"}, {`{"items":[{"N":1},{"N":true}]}`, "body.items[1].N"},
		{`{"bytes":"!!"}`, "body.bytes"}, {`{"addr":"nowhere"}`, "body.addr"},
	} {
		r := httptest.NewRequest("POST", "/k", strings.NewReader(c.body))
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code/100 != 4 || !strings.Contains(w.Body.String(), `"location":"`+c.loc) {
			t.Errorf("%s: %d %s, want a 4xx at %s", c.body, w.Code, w.Body, c.loc)
		}
	}
}
