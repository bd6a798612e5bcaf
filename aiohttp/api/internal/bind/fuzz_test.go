package bind

import (
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// FuzzBind: whatever the query, headers and body, Bind answers with
// nothing, problems (4xx) or a body too large (413): never another error,
// which would be a 500, and never a panic.
func FuzzBind(f *testing.F) {
	f.Add("limit=5&tag=a&since=2026-12-06T10:00:00Z", "secret", `{"name":"pen","price":1}`, "application/json")
	f.Add("small=-1&ratio=NaN&wait=1h", "", `[1,2]`, "")
	f.Add("level=low&flag=1", "t", `{"name":{"x":1}}`, "text/plain")
	p, err := PlanFor(reflect.TypeFor[input]())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query, token, body, ct string) {
		r := httptest.NewRequest("POST", "/items/1", strings.NewReader(body))
		r.URL.RawQuery = query
		r.SetPathValue("id", "1")
		r.Header.Set("X-Token", token)
		r.Header.Set("Content-Type", ct)
		var in input
		err := p.Bind(r, &in, Options{MaxBody: 4096})
		var probs *Problems
		var tl *TooLarge
		if err != nil && !errors.As(err, &probs) && !errors.As(err, &tl) {
			t.Fatalf("Bind: %T %v", err, err)
		}
		if probs != nil && len(probs.List) == 0 {
			t.Fatalf("Problems with none listed")
		}
	})
}
