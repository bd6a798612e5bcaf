"""TCP echo server on asyncio or uvloop: the asyncio side of bench/run.sh's
echo and idle-mem workloads.

    echo_asyncio.py [--loop asyncio|uvloop] [--api streams|protocol] --port N

Listens on 127.0.0.1:N (backlog 4096; asyncio sets TCP_NODELAY on its
sockets) and writes back every byte it reads: with the streams API a
handler per connection reads up to 64 KiB, writes and drains; with the
protocol API data_received writes to the transport. Stops on SIGTERM
(Python's default action).
"""
import argparse
import asyncio


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def serve_stream(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(api, port):
    if api == "streams":
        server = await asyncio.start_server(serve_stream, "127.0.0.1", port, backlog=4096)
    else:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--api", choices=["streams", "protocol"], default="streams")
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(serve(a.api, a.port))


if __name__ == "__main__":
    main()
