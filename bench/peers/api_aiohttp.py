"""The typed JSON endpoint of bench/run.sh's api-server workload on
aiohttp.web on uvloop, with the checks written by hand (no model
library), for context beside FastAPI.

    api_aiohttp.py [--loop asyncio|uvloop] --port N

POST /items/{id}?limit=N with an order as its JSON body, the same checks
and the same receipt as internal/apibench's and
api_fastapi.py; 422 with the first problem when a check fails. No access
log; the keep-alive timeout is an hour. Stops on SIGTERM.
"""
import argparse
import functools
import json

from aiohttp import web

compact = functools.partial(json.dumps, separators=(",", ":"))


def problem(loc, msg):
    return web.json_response({"location": loc, "message": msg}, status=422, dumps=compact)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def str_in(v, lo, hi):
    return isinstance(v, str) and lo <= len(v) <= hi


def check_order(o):
    """The first problem of the order, as (location, message), or None."""
    if not isinstance(o, dict):
        return "body", "must be an object"
    if not str_in(o.get("customer"), 1, 64):
        return "body.customer", "must have 1 to 64 characters"
    if not str_in(o.get("email"), 3, 128):
        return "body.email", "must have 3 to 128 characters"
    p = o.setdefault("priority", 0)
    if not is_int(p) or not 0 <= p <= 10:
        return "body.priority", "must be from 0 to 10"
    if not str_in(o.setdefault("note", ""), 0, 256):
        return "body.note", "must have at most 256 characters"
    lines = o.get("lines")
    if not isinstance(lines, list) or not 1 <= len(lines) <= 50:
        return "body.lines", "must have 1 to 50 items"
    for i, l in enumerate(lines):
        if not isinstance(l, dict):
            return f"body.lines[{i}]", "must be an object"
        if not str_in(l.get("sku"), 3, 32):
            return f"body.lines[{i}].sku", "must have 3 to 32 characters"
        if not str_in(l.get("name"), 1, 64):
            return f"body.lines[{i}].name", "must have 1 to 64 characters"
        q = l.get("qty")
        if not is_int(q) or not 1 <= q <= 1000:
            return f"body.lines[{i}].qty", "must be from 1 to 1000"
        c = l.get("price_cents")
        if not is_int(c) or not 1 <= c <= 10_000_000:
            return f"body.lines[{i}].price_cents", "must be from 1 to 10000000"
        t = l.setdefault("tags", [])
        if not isinstance(t, list) or len(t) > 8 or not all(isinstance(x, str) for x in t):
            return f"body.lines[{i}].tags", "must be at most 8 strings"
    return None


async def post_item(request):
    try:
        id_ = int(request.match_info["id"])
    except ValueError:
        id_ = 0
    if id_ <= 0:
        return problem("path.id", "must be an integer greater than 0")
    try:
        limit = int(request.query.get("limit", ""))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return problem("query.limit", "must be an integer from 1 to 100")
    try:
        o = await request.json()
    except ValueError as e:
        return problem("body", str(e))
    bad = check_order(o)
    if bad:
        return problem(*bad)
    lines = []
    total = 0
    for i, l in enumerate(o["lines"]):
        t = l["qty"] * l["price_cents"]
        total += t
        if i < limit:
            lines.append({"sku": l["sku"], "name": l["name"], "qty": l["qty"], "price_cents": l["price_cents"],
                          "tags": l["tags"], "total_cents": t})
    return web.json_response({"id": id_, "limit": limit, "customer": o["customer"], "email": o["email"],
                              "priority": o["priority"], "note": o["note"], "lines": lines,
                              "count": len(o["lines"]), "total_cents": total}, dumps=compact)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    app = web.Application()
    app.router.add_post("/items/{id}", post_item)
    web.run_app(app, host="127.0.0.1", port=a.port, backlog=4096, access_log=None, print=None,
                keepalive_timeout=3600)


if __name__ == "__main__":
    main()
