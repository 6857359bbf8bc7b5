"""Serve a Simulator over real HTTP: one daemon thread per connection, latency slept per request."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from .core import Simulator, json_response

log = logging.getLogger(__name__)


_INTERNAL = {
    "kind": "puppetlabs.orchestrator/unknown-error",
    "msg": "Internal error in the orchestrator simulator",
    "details": {},
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # benchmarks open hundreds of connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sim: Simulator, latency: float):
        super().__init__(address, _Handler)
        self.sim = sim
        self.latency = latency
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_lock:
            self.open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_lock:
            self.open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away (a killed bot) resets its connections: no traceback for that.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def sever(self) -> int:
        """End every open connection, as a server going down does; returns how many."""
        with self.open_lock:
            connections = list(self.open)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return len(connections)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so pooled clients reuse connections
    # Headers and body go out in separate writes; on a kept-alive connection Nagle's algorithm
    # holds the second until the client's delayed ACK, adding ~40 ms to every response.
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.server.latency > 0:
            time.sleep(self.server.latency)  # in this request's own thread
        parts = urlsplit(self.path)
        try:
            response = self.server.sim.handle(
                self.command, parts.path, parts.query, dict(self.headers.items()), body
            )
        except Exception:  # the HTTP boundary: a simulator bug becomes a logged 500, not a reset
            log.exception("simulator failed on %s %s", self.command, self.path)
            response = json_response(500, _INTERNAL)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)


class RunningSimulator:
    """A simulator being served; stop() (or leaving the `with` block) shuts it down."""

    def __init__(self, server: _Server, thread: threading.Thread):
        self._server = server
        self._thread = thread
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"
        self.sim = server.sim

    def stop(self) -> int:
        """Stop listening and end the open connections too, so a pooled keep-alive client
        sees the server go away; returns how many connections were cut."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        return self._server.sever()

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    sim: Simulator, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0
) -> RunningSimulator:
    """Start serving `sim` on host:port (0 picks a free port) in a background thread."""
    server = _Server((host, port), sim, latency)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # so stop() returns promptly
        name="orchestrator-simulator",
        daemon=True,
    )
    thread.start()
    running = RunningSimulator(server, thread)
    log.info("orchestrator simulator listening on %s", running.url)
    return running
