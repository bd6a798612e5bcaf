package peer_test

import (
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

func TestNodeHTTPClient(t *testing.T) {
	srv := newStandIn(t, echo, nil)
	out, err := peer.Node(t, `
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(process.argv[2] + path, { method, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve(res.statusCode + " " + res.headers["x-proto"] + " " + text));
    });
    req.on("error", reject);
    req.end(body);
  });
}

console.log(await request("GET", "/a"));
console.log(await request("POST", "/b", "payload"));
agent.destroy();
`, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if want := "200 HTTP/1.1 GET /a \n200 HTTP/1.1 POST /b payload\n"; string(out) != want {
		t.Errorf("the script printed\n%s\nwant\n%s", out, want)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("the server accepted %d connections, want 1 kept alive for both requests", n)
	}
}
