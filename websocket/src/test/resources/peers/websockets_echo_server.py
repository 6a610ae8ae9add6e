# An echo server on Python's 'websockets' (Debian's python3-websockets, 10.x), for Weft's client.
# usage: python3 websockets_echo_server.py deflate|plain   prints "PORT n", then per connection
# "EXTENSIONS ..." and "CLOSED code reason"; ends when its standard input closes.
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    print("EXTENSIONS", ws.response_headers.get("Sec-WebSocket-Extensions", "-"), flush=True)
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    finally:
        print("CLOSED", ws.close_code, ws.close_reason, flush=True)


async def main():
    compression = "deflate" if sys.argv[1] == "deflate" else None
    async with websockets.serve(echo, "127.0.0.1", 0, compression=compression, max_size=None) as server:
        print("PORT", server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main())
