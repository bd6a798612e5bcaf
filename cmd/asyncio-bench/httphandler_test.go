package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHTTPHandler(t *testing.T) {
	h := httpHandler()
	for _, tc := range []struct {
		path, ctype, prefix, suffix string
		size                        int
	}{
		{"/", "text/plain", "Hello, World!", "", 13},
		// The peers in bench/peers serve these very bytes.
		{"/json", "application/json",
			`{"items":[{"id":0,"name":"item-00","email":"user00@example.com","active":true,"tags":["alpha","beta","gamma"],"score":0},`,
			`{"id":9,"name":"item-09","email":"user09@example.com","active":false,"tags":["alpha","beta","gamma"],"score":333}]}`, 1142},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tc.ctype ||
			!strings.HasPrefix(body, tc.prefix) || !strings.HasSuffix(body, tc.suffix) || len(body) != tc.size {
			t.Errorf("GET %s: %d %q, %d bytes: %.60q...; want 200 %q, %d bytes", tc.path, rec.Code,
				rec.Header().Get("Content-Type"), len(body), body, tc.ctype, tc.size)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/other", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /other: %d, want 404", rec.Code)
	}
}
