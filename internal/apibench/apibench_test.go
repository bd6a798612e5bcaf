package apibench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestAPIHandlers: the typed operation and the hand-written handler give
// the same answer to bench/run.sh's request, and both refuse what fails a
// check with 422.
func TestAPIHandlers(t *testing.T) {
	body, err := os.ReadFile("../../bench/peers/api_body.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(Body)+"\n" && string(body) != string(Body) {
		t.Errorf("Body is not bench/peers/api_body.json:\n%s\n%s", Body, body)
	}
	post := func(h http.Handler, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	typed, hand := Typed(), Hand()
	a, b := post(typed, "/items/42?limit=10", string(body)), post(hand, "/items/42?limit=10", string(body))
	if a.Code != 200 || b.Code != 200 || a.Body.String() != b.Body.String() {
		t.Fatalf("typed: %d %s\nhand: %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	got := a.Body.String()
	for _, want := range []string{`{"id":42,"limit":10,"customer":"Ann Example",`, `"total_cents":1999}`, `],"count":10,"total_cents":72477}`} {
		if !strings.Contains(got, want) {
			t.Errorf("answer %s lacks %s", got, want)
		}
	}
	if n := post(typed, "/items/42?limit=3", string(body)).Body.String(); strings.Count(n, `"sku"`) != 3 {
		t.Errorf("limit=3: %s, want 3 lines", n)
	}
	for _, bad := range []struct{ target, body string }{
		{"/items/0?limit=10", string(body)},
		{"/items/42?limit=101", string(body)},
		{"/items/42", string(body)},
		{"/items/42?limit=10", strings.Replace(string(body), `"qty":3`, `"qty":0`, 1)},
		{"/items/42?limit=10", strings.Replace(string(body), `"SKU-1004"`, `"S4"`, 1)},
		{"/items/42?limit=10", `{"customer":"Ann","email":"a@b.c","lines":[]}`},
		{"/items/42?limit=10", `{"email":"a@b.c","lines":[{"sku":"abc","name":"n","qty":1,"price_cents":1}]}`},
	} {
		for name, h := range map[string]http.Handler{"typed": typed, "hand": hand} {
			if rec := post(h, bad.target, bad.body); rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: POST %s %.60s: %d %s, want 422", name, bad.target, bad.body, rec.Code, rec.Body)
			}
		}
	}
}
