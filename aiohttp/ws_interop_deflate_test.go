package aiohttp_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// The permessage-deflate parameters against peers that implement them
// with zlib: windows under 15 bits, which compress/flate cannot limit
// itself to (our end then compresses Huffman-only), and context takeover,
// where each message refers back into the ones before. The messages
// repeat content within and across messages so that a compressor with
// context uses it, at distances over 512 bytes: a compressor that
// ignored a 9-bit window would refer beyond it, and the peer's inflater,
// given that window, would fail.

// wsDeflateEcho upgrades with opts and echoes every message, logging the
// negotiated extension, how many messages it echoed and the close.
func wsDeflateEcho(log *wsLog, opts ...aiohttp.WSOption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, append([]aiohttp.WSOption{aiohttp.Compress(true)}, opts...)...)
		if err != nil {
			log.add(r.URL.Path, "upgrade: "+err.Error())
			return
		}
		ctx := r.Context()
		log.add(r.URL.Path, "extensions "+ws.Extensions())
		n := 0
		for {
			m, err := ws.Receive(ctx)
			if err != nil {
				log.add(r.URL.Path, fmt.Sprintf("echoed %d, %s", n, wsCloseLine(err)))
				return
			}
			if err := ws.Send(ctx, m); err != nil {
				log.add(r.URL.Path, "send: "+err.Error())
			}
			n++
		}
	})
}

// pythonDeflateClient sends wsDeflateMessages texts and a binary through
// websockets with the permessage-deflate offer its second argument names,
// and checks each echo.
const pythonDeflateClient = `
import asyncio, json, random, string, sys
import websockets.client
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

url, offer = sys.argv[1], sys.argv[2]
if offer == "small-windows":
    # Both ends limited to 512-byte windows, with context takeover.
    factory = ClientPerMessageDeflateFactory(server_max_window_bits=9, client_max_window_bits=9)
else:
    # websockets' default offer: full windows, context takeover.
    factory = ClientPerMessageDeflateFactory(client_max_window_bits=True)

async def main():
    async with websockets.client.connect(url, extensions=[factory], compression=None, ping_interval=None) as ws:
        print("extensions", ws.response_headers.get("Sec-WebSocket-Extensions"))
        r = "".join(random.choice(string.ascii_letters) for _ in range(400))
        q = "".join(random.choice(string.ascii_letters) for _ in range(400))
        for i in range(6):
            m = "%s %d %s%s" % (r, i, q, r[:200])
            await ws.send(m)
            print("echo", i, "same" if await ws.recv() == m else "differs")
        big = ((r + q) * 100).encode()
        await ws.send(big)
        print("binary", len(big), "same" if await ws.recv() == big else "differs")
        await ws.close(1000, "done")
        print("closed", ws.close_code, json.dumps(ws.close_reason))

asyncio.run(main())
`

func TestWSInteropPythonWebsocketsDeflateParams(t *testing.T) {
	peer.Need(t, "websockets")
	for _, tc := range []struct {
		name, offer string
		opts        []aiohttp.WSOption
		response    string // the server's Sec-WebSocket-Extensions
	}{
		// Our server compresses Huffman-only, without context; it
		// inflates the client's messages with their 512-byte context.
		{"SmallWindows", "small-windows", nil,
			"permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9"},
		// Both ends keep their context from message to message.
		{"ContextTakeover", "default", []aiohttp.WSOption{aiohttp.CompressContextTakeover(true)},
			"permessage-deflate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log wsLog
			serveChecked(t, wsDeflateEcho(&log, tc.opts...), nil, false, func(s served) {
				out, err := peer.PythonWebsockets(t, pythonDeflateClient, "ws://"+s.addr+"/deflate", tc.offer)
				if err != nil {
					t.Error(err)
					return
				}
				var want strings.Builder
				fmt.Fprintf(&want, "extensions %s\n", tc.response)
				for i := range 6 {
					fmt.Fprintf(&want, "echo %d same\n", i)
				}
				want.WriteString("binary 80000 same\nclosed 1000 \"\"\n")
				if string(out) != want.String() {
					t.Errorf("websockets' client printed\n%s\nwant\n%s", out, want.String())
				}
			})
			log.check(t, "the server logged", map[string][]string{
				"/deflate": {"extensions " + tc.response, `echoed 7, closed 1000 "done"`},
			})
		})
	}
}

// nodeDeflateServer echoes every message with ws, permessage-deflate
// configured as its second argument names, for one connection; it prints
// what it received.
const nodeDeflateServer = `
import { createRequire } from "node:module";
const { WebSocketServer } = createRequire(import.meta.url)("ws");

const perMessageDeflate = process.argv[2] === "small-windows"
  ? { threshold: 0, serverMaxWindowBits: 9, clientMaxWindowBits: 9 }
  : { threshold: 0 };
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate });
process.on("SIGTERM", () => process.exit(0));
wss.on("listening", () => console.log("peer: listening on 127.0.0.1:" + wss.address().port));
wss.on("headers", (headers) => {
  for (const h of headers) if (h.toLowerCase().startsWith("sec-websocket-extensions:")) console.log(h);
});
wss.on("connection", (ws) => {
  let n = 0, bytes = 0;
  ws.on("message", (data, isBinary) => {
    n++;
    bytes += data.length;
    ws.send(data, { binary: isBinary });
  });
  ws.on("close", (code, reason) => {
    console.log("echoed " + n + " of " + bytes + " bytes, closed " + code + " " + JSON.stringify(reason.toString()));
    wss.close();
  });
});
`

func TestWSInteropNodeDeflateParams(t *testing.T) {
	peer.Need(t, "node-ws")
	for _, tc := range []struct {
		name, config string
		opts         []aiohttp.WSOption
		response     string
	}{
		// ws limits both windows to 512 bytes and keeps its context;
		// our client compresses Huffman-only.
		{"SmallWindows", "small-windows", nil,
			"permessage-deflate; client_no_context_takeover; client_max_window_bits=9; server_max_window_bits=9"},
		// Both ends keep their context from message to message.
		{"ContextTakeover", "default", []aiohttp.WSOption{aiohttp.CompressContextTakeover(true)},
			"permessage-deflate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := peer.NodeServer(t, nodeDeflateServer, tc.config)
			var lines []string
			runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
				ws, err := s.WSConnect(ctx, "ws://"+srv.Addr, append([]aiohttp.WSOption{aiohttp.Compress(true)}, tc.opts...)...)
				if err != nil {
					return err
				}
				lines = append(lines, "extensions "+ws.Extensions())
				r, q := string(randomLetters(400)), string(randomLetters(400))
				for i := range 6 {
					m := fmt.Sprintf("%s %d %s%s", r, i, q, r[:200])
					if err := ws.SendText(ctx, m); err != nil {
						return err
					}
					got, err := ws.ReceiveText(ctx)
					if err != nil {
						return err
					}
					lines = append(lines, fmt.Sprintf("echo %d same %v", i, got == m))
				}
				big := []byte(strings.Repeat(r+q, 100))
				if err := ws.SendBytes(ctx, big); err != nil {
					return err
				}
				got, err := ws.ReceiveBytes(ctx)
				if err != nil {
					return err
				}
				lines = append(lines, fmt.Sprintf("binary %d same %v", len(got), string(got) == string(big)))
				if err := ws.Close(ctx, aiohttp.WSCloseNormal, "done"); err != nil {
					return err
				}
				lines = append(lines, wsCloseLine(ws.Err()))
				return nil
			})
			want := []string{"extensions " + tc.response}
			for i := range 6 {
				want = append(want, fmt.Sprintf("echo %d same true", i))
			}
			want = append(want, "binary 80000 same true", `closed 1000 "done"`)
			checkLines(t, "our client saw", map[string][]string{"": lines}, map[string][]string{"": want})
			out, err := srv.Wait()
			if err != nil {
				t.Fatal(err)
			}
			// 6 texts of 400+3+400+200 bytes, and 80000.
			wantOut := "Sec-WebSocket-Extensions: " + tc.response + "\n" +
				"echoed 7 of 86018 bytes, closed 1000 \"done\"\n"
			if out != wantOut {
				t.Errorf("ws's server printed\n%s\nwant\n%s", out, wantOut)
			}
		})
	}
}

// randomLetters returns n random ASCII letters.
func randomLetters(n int) []byte {
	b := randomBytes(n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[int(b[i])%52]
	}
	return b
}
