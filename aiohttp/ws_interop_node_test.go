package aiohttp_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// nodeWSPrelude loads Node's ws package, installed from Debian (see
// peer.Node), and defines ext, the interop line's form of an extension.
// Its arguments: the server's base URL, or nothing, then "deflate" or
// "plain".
const nodeWSPrelude = `
import { createRequire } from "node:module";
import crypto from "node:crypto";
const { WebSocket, WebSocketServer } = createRequire(import.meta.url)("ws");

const compress = process.argv[process.argv.length - 1] === "deflate";
// threshold 0: every message is compressed, not only those over 1 KiB.
const perMessageDeflate = compress ? { threshold: 0 } : false;
const ext = (s) => (s ? s.split(/[;,]/)[0].trim() : "none");
`

// nodeWSClient is the client's end of the exchange with Node's ws.
const nodeWSClient = nodeWSPrelude + `
const base = process.argv[2];

// open connects to path and gives the WebSocket next(), which returns its
// events (messages, pongs, its close) one by one.
function open(path) {
  const ws = new WebSocket(base + path, ["v1.chat", "v2.chat"], { perMessageDeflate });
  const events = [];
  let wake = null;
  const push = (e) => {
    events.push(e);
    if (wake) wake();
  };
  ws.on("message", (data, isBinary) => push({ kind: isBinary ? "binary" : "text", data }));
  ws.on("pong", (data) => push({ kind: "pong", data }));
  ws.on("close", (code, reason) => push({ kind: "closed", code, reason: reason.toString() }));
  ws.on("error", (err) => push({ kind: "error", err }));
  ws.next = async () => {
    while (!events.length) await new Promise((resolve) => (wake = resolve));
    wake = null;
    return events.shift();
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function line(e, big) {
  switch (e.kind) {
    case "text": return "text " + e.data.toString();
    case "binary": return "binary " + e.data.length + (Buffer.compare(e.data, big) === 0 ? " same" : " differs");
    case "pong": return "pong " + e.data.toString();
    case "closed": return "closed " + e.code + " " + JSON.stringify(e.reason);
    default: return "error " + e.err;
  }
}

let ws = await open("/one");
const say = (path, s) => console.log(path + " " + s);
say("/one", "protocol " + ws.protocol + " extensions " + ext(ws.extensions));
ws.send("héllo");
say("/one", line(await ws.next()));
const big = Buffer.concat(Array.from({ length: 1024 }, () => Buffer.alloc(1024, crypto.randomBytes(16))));
ws.send(big);
say("/one", line(await ws.next(), big));
ws.ping("cli-ping");
say("/one", line(await ws.next()));
ws.send("ping me");
say("/one", line(await ws.next()));
ws.close(1000, "bye");
say("/one", line(await ws.next()));

ws = await open("/two");
say("/two", "protocol " + ws.protocol + " extensions " + ext(ws.extensions));
ws.send("close me");
say("/two", line(await ws.next()));
`

func compressArg(compress bool) string {
	if compress {
		return "deflate"
	}
	return "plain"
}

func TestWSInteropNodeClient(t *testing.T) {
	peer.Need(t, "node-ws")
	wsCompressModes(t, func(t *testing.T, compress bool) {
		var log wsLog
		serveChecked(t, wsInteropHandler(&log), nil, false, func(s served) {
			out, err := peer.Node(t, nodeWSClient, "ws://"+s.addr, compressArg(compress))
			if err != nil {
				t.Error(err)
				return
			}
			if want := wsClientWant(compress); string(out) != want {
				t.Errorf("ws's client printed\n%s\nwant\n%s", out, want)
			}
		})
		// ws answers a close frame with its code and reason.
		log.check(t, "the server logged", wsServerWant(compress, `closed 4001 "server says bye"`))
	})
}

// nodeWSServer is the server's end of the exchange with Node's ws, for
// two connections; then it exits.
const nodeWSServer = nodeWSPrelude + `
const wss = new WebSocketServer({
  host: "127.0.0.1",
  port: 0,
  perMessageDeflate,
  handleProtocols: (offered) => ["v2.chat", "v1.chat"].find((p) => offered.has(p)) ?? false,
});
process.on("SIGTERM", () => process.exit(0));
let left = 2;
wss.on("listening", () => console.log("peer: listening on 127.0.0.1:" + wss.address().port));
wss.on("connection", (ws, req) => {
  const say = (s) => console.log(req.url + " " + s);
  say("protocol " + ws.protocol + " extensions " + ext(ws.extensions));
  // ws answers pings itself.
  ws.on("ping", (data) => say("ping " + data));
  ws.on("pong", (data) => {
    say("pong " + data);
    ws.send("pinged");
  });
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      say("binary " + data.length);
      ws.send(data);
      return;
    }
    const text = data.toString();
    say("text " + text);
    if (text === "ping me") ws.ping("srv-ping");
    else if (text === "close me") ws.close(4001, "server says bye");
    else ws.send("echo: " + text);
  });
  ws.on("close", (code, reason) => {
    say("closed " + code + " " + JSON.stringify(reason.toString()));
    if (--left === 0) wss.close();
  });
});
`

func TestWSInteropNodeServer(t *testing.T) {
	peer.Need(t, "node-ws")
	wsCompressModes(t, func(t *testing.T, compress bool) {
		srv := peer.NodeServer(t, nodeWSServer, compressArg(compress))
		var lines []string
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			var err error
			lines, err = wsDrive(ctx, s, "ws://"+srv.Addr, aiohttp.Compress(compress))
			return err
		})
		// ws answers a close frame with its code and reason.
		checkLines(t, "our client saw", map[string][]string{"": lines}, map[string][]string{"": wsDriveWant(compress, `closed 1000 "bye"`)})
		out, err := srv.Wait()
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, "ws's server printed", byPath(out), wsPeerServerWant(compress))
	})
}
