package peer_test

import (
	"io"
	"net"
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

func TestNodeServerWait(t *testing.T) {
	srv := peer.NodeServer(t, `
import net from "node:net";

const server = net.createServer((sock) => {
  sock.end("hello");
  sock.on("close", () => {
    console.log("served one");
    server.close();
  });
});
server.listen(0, "127.0.0.1", () => console.log("peer: listening on 127.0.0.1:" + server.address().port));
`)
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	c.Close()
	if err != nil || string(got) != "hello" {
		t.Errorf("read %q, %v; want hello", got, err)
	}
	out, err := srv.Wait()
	if err != nil || out != "served one\n" {
		t.Errorf("Wait = %q, %v; want the line printed after the address", out, err)
	}
}

func TestNodeWS(t *testing.T) {
	peer.Need(t, "node-ws")
	out, err := peer.Node(t, `
import { createRequire } from "node:module";
const { WebSocketServer } = createRequire(import.meta.url)("ws");
console.log(typeof WebSocketServer);
`)
	if err != nil || string(out) != "function\n" {
		t.Errorf("the script printed %q, %v; want ws's WebSocketServer found", out, err)
	}
}
