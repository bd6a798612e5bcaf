"""The typed JSON endpoint of bench/run.sh's api-server workload on
FastAPI, served by uvicorn on uvloop with httptools (Debian's
python3-fastapi, python3-uvicorn, python3-uvloop, python3-httptools).

    api_fastapi.py --port N

POST /items/{id}?limit=N with an order as its JSON body: pydantic models
with the same checks as internal/apibench's: id > 0,
1 <= limit <= 100, the order's fields in range. Answers 200 with the
receipt (the order echoed with each line's total, the number of lines,
the grand total, at most limit lines) through response_model, as a
FastAPI application declares its output; 422 when a check fails. One
worker, no access log, keep-alive timeout an hour; listens on 127.0.0.1
(backlog 4096). Stops on SIGTERM (uvicorn's handler).
"""
import argparse
from typing import List

import uvicorn
from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, Field


class OrderLine(BaseModel):
    sku: str = Field(..., min_length=3, max_length=32)
    name: str = Field(..., min_length=1, max_length=64)
    qty: int = Field(..., ge=1, le=1000)
    price_cents: int = Field(..., ge=1, le=10_000_000)
    tags: List[str] = Field(default_factory=list, max_items=8)


class Order(BaseModel):
    customer: str = Field(..., min_length=1, max_length=64)
    email: str = Field(..., min_length=3, max_length=128)
    priority: int = Field(0, ge=0, le=10)
    note: str = Field("", max_length=256)
    lines: List[OrderLine] = Field(..., min_items=1, max_items=50)


class ReceiptLine(BaseModel):
    sku: str
    name: str
    qty: int
    price_cents: int
    tags: List[str]
    total_cents: int


class Receipt(BaseModel):
    id: int
    limit: int
    customer: str
    email: str
    priority: int
    note: str
    lines: List[ReceiptLine]
    count: int
    total_cents: int


app = FastAPI()


@app.post("/items/{id}", response_model=Receipt)
async def post_item(order: Order, id: int = Path(..., gt=0), limit: int = Query(..., ge=1, le=100)):
    lines = []
    total = 0
    for i, l in enumerate(order.lines):
        t = l.qty * l.price_cents
        total += t
        if i < limit:
            lines.append(ReceiptLine(sku=l.sku, name=l.name, qty=l.qty, price_cents=l.price_cents, tags=l.tags,
                                     total_cents=t))
    return Receipt(id=id, limit=limit, customer=order.customer, email=order.email, priority=order.priority,
                   note=order.note, lines=lines, count=len(order.lines), total_cents=total)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=a.port, loop="uvloop", http="httptools", workers=1,
                access_log=False, log_level="warning", backlog=4096, timeout_keep_alive=3600, lifespan="off")


if __name__ == "__main__":
    main()
