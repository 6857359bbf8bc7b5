"""Serving Slack: Socket Mode (outbound only), or HTTP under waitress with /health."""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

import waitress
import waitress.server
from slack_bolt.adapter.socket_mode import SocketModeHandler

from runtime.assemble import Bot
from runtime.health import Health, health_line
from runtime.slackapp import RequestHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# Slack's largest payloads (a modal submission, a message with 50 blocks) are tens of KB.
MAX_BODY = 256 * 1024
HEALTH_LOG_EVERY = 60.0


def wsgi_app(bot: Bot, health: Health) -> Callable[..., Iterable[bytes]]:
    """/slack/events for commands, interactivity and events; /health for the operator."""
    slack = RequestHandler(bot.app)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/health" and environ.get("REQUEST_METHOD") == "GET":
            return _health(health, start_response)
        if path == EVENTS_PATH:
            problem = _check_body(environ)
            if problem:
                status, text = problem
                log.warning("refused a request to %s: %s", EVENTS_PATH, text)
                start_response(status, [("Content-Type", "text/plain")])
                return [text.encode()]
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


def health_app(health: Health) -> Callable[..., Iterable[bytes]]:
    """Socket Mode's web side: only /health, so a platform's web process has a port to bind."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/health" and environ.get("REQUEST_METHOD") == "GET":
            return _health(health, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


def _health(health: Health, start_response: Callable[..., Any]) -> Iterable[bytes]:
    report = health.report()
    body = json.dumps(report).encode()
    status = "200 OK" if report["ok"] else "503 Service Unavailable"
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _check_body(environ: dict[str, Any]) -> tuple[str, str] | None:
    """Refuse what Slack never sends before Bolt sees it: huge or non-UTF-8 bodies."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "bad Content-Length"
    if length > MAX_BODY:
        return "413 Payload Too Large", "request body too large"
    body = environ["wsgi.input"].read(length) if length else b""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "400 Bad Request", "request body is not UTF-8"
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return None


def serve_http(bot: Bot, port: int, *, host: str = "0.0.0.0", threads: int = 32) -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # platforms stop a dyno with SIGTERM
    log.info("HTTP mode: serving %s and /health on port %d", EVENTS_PATH, port)
    waitress.serve(
        wsgi_app(bot, Health(bot)),
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY,
        ident="pe-chatops",
    )


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def serve_socket_mode(
    bot: Bot, app_token: str, *, port: int | None = None, host: str = "0.0.0.0"
) -> None:
    """Socket Mode to Slack; with a port, /health is served there as well."""
    health = Health(bot)
    web = None
    if port is not None:
        web = waitress.server.create_server(
            health_app(health), host=host, port=port, threads=2, ident="pe-chatops"
        )
        threading.Thread(target=web.run, name="health", daemon=True).start()
        log.info("Socket Mode: serving /health on port %d", port)
    handler = SocketModeHandler(bot.app, app_token)
    handler.connect()
    log.info("Socket Mode: connected to Slack")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(HEALTH_LOG_EVERY):
        log.info("health: %s", health_line(health.report()))
    handler.close()
    if web is not None:
        web.close()
