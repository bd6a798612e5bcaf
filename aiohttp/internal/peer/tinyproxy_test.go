package peer_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

func TestTinyproxyConnect(t *testing.T) {
	certs := peer.NewCerts(t)
	srv := newStandIn(t, echo, certs.Server)
	proxy, err := url.Parse(peer.Tinyproxy(t))
	if err != nil {
		t.Fatal(err)
	}
	var connects atomic.Int32
	c := newClient(t, &http.Transport{
		Proxy:           http.ProxyURL(proxy),
		TLSClientConfig: certs.Client(),
		OnProxyConnectResponse: func(_ context.Context, _ *url.URL, req *http.Request, resp *http.Response) error {
			if req.Method == http.MethodConnect && resp.StatusCode == http.StatusOK {
				connects.Add(1)
			}
			return nil
		},
	})
	resp, body := get(t, c, srv.URL+"/through")
	if resp.StatusCode != http.StatusOK || body != "GET /through " || resp.TLS == nil {
		t.Errorf("got %s %q (TLS %v), want 200 and the echo over TLS", resp.Status, body, resp.TLS != nil)
	}
	if n := connects.Load(); n != 1 {
		t.Errorf("the proxy accepted %d CONNECTs, want 1", n)
	}
}

func TestCurlThroughTinyproxy(t *testing.T) {
	certs := peer.NewCerts(t)
	srv := newStandIn(t, echo, certs.Server)
	res, err := peer.Curl(t, "-v", "--proxy", peer.Tinyproxy(t), "--cacert", certs.CAFile, srv.URL+"/through")
	if err != nil {
		t.Fatal(err)
	}
	if tr := res.Transfers[0]; tr.Status != http.StatusOK || string(tr.Body) != "GET /through " {
		t.Errorf("got %v, want 200 and the echo", tr)
	}
	if !strings.Contains(string(res.Stderr), "> CONNECT 127.0.0.1:") {
		t.Errorf("curl's trace shows no CONNECT:\n%s", res.Stderr)
	}
}
