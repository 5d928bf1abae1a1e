"""The checks every request passes before the workbench sees it.

The server edits files on this machine, so a web page elsewhere must not be
able to drive it: the Host header must name this server (a DNS-rebinding
page reaches 127.0.0.1 under its own host name), a browser's Origin must be
this server's (no cross-site writes), and a request that changes anything is
a JSON POST (a cross-site form cannot send one without a CORS preflight,
which this server never grants). Bodies are bounded, and every answer
carries headers that keep the page from being framed or sniffed and keep
scripts to the server's own files.
"""
from __future__ import annotations

import json

MAX_BODY = 4 * 1024 * 1024  # a README (<= 1 MB of text as JSON) and an edited rule file or two

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


def allowed_hosts(host: str, port: int) -> set[str]:
    """Host header values that name this server."""
    names = {host}
    if host in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    names = {f"[{n}]" if ":" in n and not n.startswith("[") else n for n in names}
    return {f"{n}:{port}" for n in names} | (set(names) if port == 80 else set())


class Guard:
    """ASGI middleware: Host, Origin, method and content type, body size."""

    def __init__(self, app, hosts: set[str], max_body: int = MAX_BODY):
        self.app = app
        self.hosts = {h.lower() for h in hosts}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {}
        for k, v in scope.get("headers", []):
            headers.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            return await _refuse(send, 421, f"Host {host!r} is not this server; open it as "
                                            f"http://{sorted(self.hosts)[0]}/")
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return await _refuse(send, 403, f"requests from {origin!r} are refused: the workbench answers its own page only")
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD", "POST"):
            return await _refuse(send, 405, f"method {method} is not allowed")
        if method == "POST":
            if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return await _refuse(send, 403, "cross-site requests are refused")
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return await _refuse(send, 415, "POST bodies are JSON (Content-Type: application/json)")
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                return await _refuse(send, 413, f"request body larger than {self.max_body} bytes")
            body = await _read_body(receive, self.max_body)
            if body is None:
                return await _refuse(send, 413, f"request body larger than {self.max_body} bytes")
            receive = _replay(body, receive)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _read_body(receive, limit: int) -> bytes | None:
    """The whole body (also a chunked one, counted as it arrives), or None past the limit."""
    chunks, seen = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def inner():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return inner


async def _refuse(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})
