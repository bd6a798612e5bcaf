"""HTTP/1.1 server on aiohttp.web, on asyncio or uvloop: the aiohttp side of
bench/run.sh's http-server and http-idle-mem workloads.

    http_server_aiohttp.py [--loop asyncio|uvloop] --port N

Listens on 127.0.0.1:N (backlog 4096) and answers GET / with
"Hello, World!" (text/plain) and GET /json with the document of DOC,
encoded again for every request without spaces, the same 1,142 bytes as
the other peers. No access log; the keep-alive timeout is an hour, so
idle connections stay open as they do with net/http. Stops on SIGTERM
(web.run_app's handler).
"""
import argparse
import functools
import json

from aiohttp import web

DOC = {"items": [{"id": i, "name": f"item-{i:02d}", "email": f"user{i:02d}@example.com",
                  "active": i % 2 == 0, "tags": ["alpha", "beta", "gamma"], "score": 37 * i}
                 for i in range(10)]}
compact = functools.partial(json.dumps, separators=(",", ":"))


async def hello(request):
    return web.Response(text="Hello, World!")


async def document(request):
    return web.json_response(DOC, dumps=compact)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/json", document)
    web.run_app(app, host="127.0.0.1", port=a.port, backlog=4096, access_log=None, print=None,
                keepalive_timeout=3600)


if __name__ == "__main__":
    main()
