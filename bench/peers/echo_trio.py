"""TCP echo server on trio: the trio side of bench/run.sh's echo and
idle-mem workloads.

    echo_trio.py --port N

Same contract as the other echo servers (echo_asyncio.py): listens on 127.0.0.1:N with a
backlog of 4096, TCP_NODELAY on (trio's SocketStream sets it), writes back
every byte read, one task per connection (trio.serve_tcp's nursery); exits
on SIGTERM (Python's default action).
"""
import argparse

import trio


async def handle(stream):
    try:
        while True:
            data = await stream.receive_some(65536)
            if not data:
                break
            await stream.send_all(data)
    except (trio.BrokenResourceError, trio.ClosedResourceError):
        pass
    finally:
        await stream.aclose()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    trio.run(lambda: trio.serve_tcp(handle, a.port, host="127.0.0.1", backlog=4096))


if __name__ == "__main__":
    main()
