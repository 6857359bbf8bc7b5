"""The HTTP front of the fake: a ThreadingHTTPServer on 127.0.0.1 that hands each request on."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpRequest:
    """What the fake needs from one request."""

    verb: str
    path: str
    query: str
    content_type: str
    authorization: str | None
    body: bytes


@dataclass(frozen=True)
class Reply:
    """A JSON answer: status, body and any extra headers (Retry-After)."""

    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()


Handle = Callable[[HttpRequest], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Re-binding a just-closed port in a fast test loop must not fail.
    allow_reuse_address = True

    def __init__(self, handle: Handle) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.handle_request_data = handle


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # Keep-alive matters for httpx clients in the benchmarks; urllib closes after each call.
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY each kept-alive response waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    timeout = 30

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        request = HttpRequest(
            verb=verb,
            path=path,
            query=query,
            content_type=self.headers.get("Content-Type", ""),
            authorization=self.headers.get("Authorization"),
            body=body,
        )
        try:
            reply = self.server.handle_request_data(request)
        except Exception as exc:
            # A bug in the fake must reach the test as a loud 500, not as a hung client.
            log.exception("fake Slack failed on %s %s", verb, path)
            reply = Reply(500, {"ok": False, "error": "fake_slack_bug", "detail": repr(exc)})
        payload = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        log.debug("%s " + format, self.address_string(), *args)


class ServerThread:
    """Runs the server on a daemon thread between start() and stop()."""

    def __init__(self, handle: Handle) -> None:
        self._handle = handle
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake Slack server is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the fake Slack server is already running")
        self._server = _Server(self._handle)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name=f"fakeslack-{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("fake Slack listening on 127.0.0.1:%d", self.port)

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        port = self.port
        stopper = threading.Thread(target=server.shutdown, name=f"fakeslack-stop-{port}")
        stopper.start()
        # serve_forever() only sees the shutdown request when select() wakes up, so a throwaway
        # connection stops it now instead of after a poll interval (tests start hundreds).
        while stopper.is_alive():
            _poke(port)
            stopper.join(0.02)
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None


def _poke(port: int) -> None:
    # OSError: the socket is already closed, so the server is stopping anyway.
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
