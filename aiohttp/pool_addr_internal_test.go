package aiohttp

import (
	"net/url"
	"testing"
)

func TestDialAddrOf(t *testing.T) {
	p := &pool{}
	for _, tc := range []struct{ url, key, addr string }{
		{"http://example.com/a", "http://example.com:80", "example.com:80"},
		{"https://example.com/a", "https://example.com:443", "example.com:443"},
		{"http://example.com:8080/", "http://example.com:8080", "example.com:8080"},
		{"http://[::1]:8080/", "http://[::1]:8080", "[::1]:8080"},
		{"https://[::1]/", "https://[::1]:443", "[::1]:443"},
		{"http://example.com/b", "http://example.com:80", "example.com:80"}, // remembered
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.dialAddrOf(u); got.key != tc.key || got.addr != tc.addr {
			t.Errorf("dialAddrOf(%s) = %+v, want key %s, addr %s", tc.url, got, tc.key, tc.addr)
		}
	}
	if len(p.addrs) != 5 {
		t.Errorf("%d addresses remembered, want 5", len(p.addrs))
	}
}
