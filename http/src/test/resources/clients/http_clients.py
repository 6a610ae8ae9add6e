"""Python's http.client and raw sockets against a Weft server: normal and malformed requests.
Usage: http_clients.py PORT. Prints one line per check: NAME OK|FAIL detail. Exit status 0 iff all OK."""
import http.client
import re
import socket
import sys

port = int(sys.argv[1])
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{name} {'OK' if ok else 'FAIL'} {detail}")


# http.client: two requests on one keep-alive connection, and a chunked upload
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
conn.request("GET", "/hello")
r = conn.getresponse()
body = r.read()
check("get", r.status == 200 and body == b"hello", f"{r.status} {body!r}")
sock_before = conn.sock
conn.request("POST", "/echo", body=b"x" * 5000, headers={"Content-Type": "application/octet-stream"})
r = conn.getresponse()
body = r.read()
check("post-keep-alive", r.status == 200 and body == b"x" * 5000 and conn.sock is sock_before, f"{r.status} {len(body)}")
conn.request("POST", "/echo", body=iter([b"abc", b"defg", b"h"]), encode_chunked=True)
r = conn.getresponse()
body = r.read()
check("chunked-upload", r.status == 200 and body == b"abcdefgh", f"{r.status} {body!r}")
conn.request("HEAD", "/hello")
r = conn.getresponse()
check("head", r.status == 200 and r.read() == b"" and r.getheader("Content-Length") == "5", f"{r.status}")
conn.close()


def raw(request, timeout=10):
    """Sends raw bytes; returns (everything the server sent until it closed, closed?)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(request)
    data = b""
    closed = False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        pass
    s.close()
    return data, closed


smuggle = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
cases = [
    ("cl-and-te", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te-and-cl", b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n", 400),
    ("duplicate-cl", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    ("bad-cl", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1a\r\n\r\na", 400),
    ("obs-fold", b"GET /hello HTTP/1.1\r\nHost: x\r\nX: a\r\n\tb\r\n\r\n", 400),
    ("bad-chunk-size", b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n", 400),
    ("long-request-line", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("huge-headers", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"b" * 70000 + b"\r\n\r\n", 431),
    ("no-host", b"GET /hello HTTP/1.1\r\n\r\n", 400),
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    ("space-before-colon", b"GET /hello HTTP/1.1\r\nHost : x\r\n\r\n", 400),
]
for name, req, status in cases:
    data, closed = raw(req + smuggle)
    head = data.split(b"\r\n", 1)[0]
    responses = len(re.findall(rb"(?:^|\n)HTTP/1\.1 \d{3} ", data))
    ok = head.startswith(b"HTTP/1.1 %d " % status) and closed and b"/smuggled" not in data and responses == 1
    check(name, ok, f"{head!r} closed={closed} responses={responses}")

data, closed = raw(b"GET /hello HTTP/1.0\r\n\r\n")
check("http10", data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"hello") and closed, repr(data[:40]))

sys.exit(0 if all(results) else 1)
