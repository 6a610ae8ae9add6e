# A client on Python's 'websockets' (Debian's python3-websockets, 10.x) against Weft's echo server:
# text, unicode, binary, a large random message and 200 small JSON messages at once, every echo
# checked, a ping whose pong must come back, then close(1000, "bye").
# usage: python3 websockets_client.py URL deflate|plain   exit status 0 when everything came back as sent.
import asyncio
import json
import os
import sys

import websockets


async def main(url, compression):
    async with websockets.connect(url, compression=compression, max_size=None) as ws:
        print("EXTENSIONS", ws.response_headers.get("Sec-WebSocket-Extensions", "-"), flush=True)
        expected = ["hello", "κόσμε 👋 unicode", bytes(range(256)), os.urandom(512 * 1024), ""]
        expected += [json.dumps({"event": "chat", "room": "lobby", "n": i, "text": "hi " * (i % 20)}) for i in range(200)]
        for m in expected:
            await ws.send(m)
        for i, m in enumerate(expected):
            got = await ws.recv()
            if got != m:
                print("MISMATCH at", i, flush=True)
                sys.exit(1)
        pong = await ws.ping(b"ping-payload")
        await asyncio.wait_for(pong, 10)
        print("PONG ok", flush=True)
        await ws.close(1000, "bye")
        print("CLOSED", ws.close_code, ws.close_reason, "after", len(expected), "echoes", flush=True)


asyncio.run(asyncio.wait_for(main(sys.argv[1], "deflate" if sys.argv[2] == "deflate" else None), 30))
