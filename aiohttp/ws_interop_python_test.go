package aiohttp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// pythonWebsocketsClient is the client's end of the exchange with
// Python's websockets. Its arguments: the server's base URL, then
// "deflate" or "plain". It sends no pings of its own (ping_interval=None):
// the server's log would show them.
const pythonWebsocketsClient = `
import asyncio, json, os, sys
import websockets.client, websockets.exceptions

base, mode = sys.argv[1], sys.argv[2]

def ext(s):
    return s.split(";")[0].split(",")[0].strip() if s else "none"

def connect(path):
    return websockets.client.connect(
        base + path, subprotocols=["v1.chat", "v2.chat"], ping_interval=None,
        compression="deflate" if mode == "deflate" else None, max_size=2 * 1024 * 1024)

def say(path, line):
    print(path, line, flush=True)

async def main():
    async with connect("/one") as ws:
        say("/one", "protocol %s extensions %s" % (ws.subprotocol, ext(ws.response_headers.get("Sec-WebSocket-Extensions"))))
        await ws.send("héllo")
        say("/one", "text " + await ws.recv())
        big = b"".join(os.urandom(16) * 64 for _ in range(1024))
        await ws.send(big)
        got = await ws.recv()
        say("/one", "binary %d %s" % (len(got), "same" if got == big else "differs"))
        await (await ws.ping(b"cli-ping"))
        say("/one", "pong cli-ping")
        await ws.send("ping me")
        say("/one", "text " + await ws.recv())
        await ws.close(1000, "bye")
        say("/one", "closed %d %s" % (ws.close_code, json.dumps(ws.close_reason)))
    async with connect("/two") as ws:
        say("/two", "protocol %s extensions %s" % (ws.subprotocol, ext(ws.response_headers.get("Sec-WebSocket-Extensions"))))
        await ws.send("close me")
        try:
            msg = await ws.recv()
            say("/two", "unexpected message %r" % msg)
        except websockets.exceptions.ConnectionClosed:
            await ws.wait_closed()
            say("/two", "closed %d %s" % (ws.close_code, json.dumps(ws.close_reason)))

asyncio.run(main())
`

func TestWSInteropPythonWebsocketsClient(t *testing.T) {
	peer.Need(t, "websockets")
	wsCompressModes(t, func(t *testing.T, compress bool) {
		var log wsLog
		serveChecked(t, wsInteropHandler(&log), nil, false, func(s served) {
			out, err := peer.PythonWebsockets(t, pythonWebsocketsClient, "ws://"+s.addr, compressArg(compress))
			if err != nil {
				t.Error(err)
				return
			}
			if want := wsClientWant(compress); string(out) != want {
				t.Errorf("websockets' client printed\n%s\nwant\n%s", out, want)
			}
		})
		// websockets answers a close frame with its code and reason.
		log.check(t, "the server logged", wsServerWant(compress, `closed 4001 "server says bye"`))
	})
}

// pythonAiohttpWSClient is the client's end of the exchange with
// Python's aiohttp (ClientSession.ws_connect), with the same arguments as
// pythonWebsocketsClient. It answers pings itself (autoping=False), to
// see the pong to its own, and keeps no heartbeat (aiohttp's default).
const pythonAiohttpWSClient = `
import asyncio, json, os, sys
import aiohttp

base, mode = sys.argv[1], sys.argv[2]

def say(path, line):
    print(path, line, flush=True)

async def receive(ws):
    # The next message that is not a ping, pings answered.
    while True:
        msg = await ws.receive()
        if msg.type != aiohttp.WSMsgType.PING:
            return msg
        await ws.pong(msg.data)

async def main():
    async with aiohttp.ClientSession() as session:
        def connect(path):
            return session.ws_connect(base + path, protocols=("v1.chat", "v2.chat"), autoping=False,
                                      compress=15 if mode == "deflate" else 0)
        async with connect("/one") as ws:
            ext = "permessage-deflate" if ws.compress else "none"
            say("/one", "protocol %s extensions %s" % (ws.protocol, ext))
            await ws.send_str("héllo")
            say("/one", "text " + (await receive(ws)).data)
            big = b"".join(os.urandom(16) * 64 for _ in range(1024))
            await ws.send_bytes(big)
            got = (await receive(ws)).data
            say("/one", "binary %d %s" % (len(got), "same" if got == big else "differs"))
            await ws.ping(b"cli-ping")
            msg = await receive(ws)
            say("/one", "%s %s" % (msg.type.name.lower(), msg.data.decode()))
            await ws.send_str("ping me")
            say("/one", "text " + (await receive(ws)).data)
            await ws.close(code=1000, message=b"bye")
            # aiohttp keeps the code of the server's close frame, not its
            # reason.
            say("/one", "closed %d" % ws.close_code)
        async with connect("/two") as ws:
            say("/two", "protocol %s extensions %s" % (ws.protocol, ext))
            await ws.send_str("close me")
            msg = await receive(ws)
            if msg.type == aiohttp.WSMsgType.CLOSE:
                say("/two", "closed %d %s" % (msg.data, json.dumps(msg.extra)))
            else:
                say("/two", "unexpected %s %r" % (msg.type.name, msg.data))

asyncio.run(main())
`

func TestWSInteropPythonAiohttpClient(t *testing.T) {
	peer.Need(t, "aiohttp")
	wsCompressModes(t, func(t *testing.T, compress bool) {
		var log wsLog
		serveChecked(t, wsInteropHandler(&log), nil, false, func(s served) {
			out, err := peer.PythonAiohttp(t, pythonAiohttpWSClient, "ws://"+s.addr, compressArg(compress))
			if err != nil {
				t.Error(err)
				return
			}
			want := strings.Replace(wsClientWant(compress), "/one closed 1000 \"\"\n", "/one closed 1000\n", 1)
			if string(out) != want {
				t.Errorf("aiohttp's client printed\n%s\nwant\n%s", out, want)
			}
		})
		// aiohttp answers a close frame with 1000, whatever its code.
		log.check(t, "the server logged", wsServerWant(compress, `closed 1000 ""`))
	})
}

// pythonAiohttpWSServer is the server's end of the exchange with aiohttp
// (web.WebSocketResponse), for peer.PythonAiohttpServer. Its argument:
// "deflate" or "plain". It answers pings itself (autoping=False), to log
// them, and serves its log at /log.
const pythonAiohttpWSServer = `
import json, sys
from aiohttp import web, WSMsgType

compress = sys.argv[1] == "deflate"
lines = []
routes = web.RouteTableDef()

@routes.get("/log")
async def log(request):
    return web.Response(text="".join(lines))

@routes.get("/{name}")
async def exchange(request):
    def say(line):
        lines.append("%s %s\n" % (request.path, line))
    ws = web.WebSocketResponse(protocols=("v2.chat", "v1.chat"), autoping=False, compress=compress)
    await ws.prepare(request)
    say("protocol %s extensions %s" % (ws.ws_protocol, "permessage-deflate" if ws.compress else "none"))
    while True:
        msg = await ws.receive()
        if msg.type == WSMsgType.PING:
            say("ping " + msg.data.decode())
            await ws.pong(msg.data)
        elif msg.type == WSMsgType.PONG:
            say("pong " + msg.data.decode())
            await ws.send_str("pinged")
        elif msg.type == WSMsgType.BINARY:
            say("binary %d" % len(msg.data))
            await ws.send_bytes(msg.data)
        elif msg.type == WSMsgType.TEXT:
            say("text " + msg.data)
            if msg.data == "ping me":
                await ws.ping(b"srv-ping")
            elif msg.data == "close me":
                await ws.close(code=4001, message=b"server says bye")
                # aiohttp keeps the code of the client's close frame,
                # not its reason.
                say("closed %d" % ws.close_code)
                return ws
            else:
                await ws.send_str("echo: " + msg.data)
        elif msg.type == WSMsgType.CLOSE:
            say("closed %d %s" % (msg.data, json.dumps(msg.extra)))
            return ws
        else:
            say("%s %r" % (msg.type.name.lower(), msg.data))
            return ws
`

func TestWSInteropPythonAiohttpServer(t *testing.T) {
	peer.Need(t, "aiohttp")
	wsCompressModes(t, func(t *testing.T, compress bool) {
		addr := peer.PythonAiohttpServer(t, pythonAiohttpWSServer, compressArg(compress))
		var lines []string
		var log string
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			var err error
			if lines, err = wsDrive(ctx, s, "ws://"+addr, aiohttp.Compress(compress)); err != nil {
				return err
			}
			log, err = text(ctx, s, "http://"+addr+"/log")
			return err
		})
		// aiohttp answers a close frame with 1000 and no reason.
		checkLines(t, "our client saw", map[string][]string{"": lines}, map[string][]string{"": wsDriveWant(compress, `closed 1000 ""`)})
		want := wsPeerServerWant(compress)
		want["/two"][2] = "closed 4001"
		checkLines(t, "aiohttp's server logged", byPath(log), want)
	})
}
