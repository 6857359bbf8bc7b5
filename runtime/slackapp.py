"""The Bolt app: signature-verified, with every listener registered from handlers/."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.error import BoltError
from slack_bolt.request.internals import build_context

import handlers
from config import ConfigError
from delivery.respond import Responder
from flows.deps import Deps
from store import Store, inbox

log = logging.getLogger(__name__)

REFUSED_TOKEN = ("invalid_auth", "not_authed", "account_inactive")


class SlackTokenRefused(ConfigError):
    """Slack refused SLACK_BOT_TOKEN when the bot asked who it is."""


def create_app(deps: Deps, *, signing_secret: str | None) -> App:
    """One App for Socket Mode, HTTP mode, the demo console and the tests.

    Listeners run inline (`process_before_response=True`): each one only parses, acks and hands
    the rest to the bot's own worker pool, so running it in the request's thread answers Slack at
    once. Bolt's alternative runs listeners on a 5-thread pool and polls for the ack every 10 ms,
    which cost 10 ms an ack when idle and hundreds under load (measured: bench/, README).
    """
    options: dict[str, Any] = {
        "client": deps.slack,
        "signing_secret": signing_secret,
        "process_before_response": True,
        "request_verification_enabled": signing_secret is not None,
        "logger": _bolt_logger(),
    }
    # Bolt needs the bot's identity (auth.test) for every request. Looked up here, once, before
    # anything is served: left to the first requests, a burst of them each called auth.test on
    # the ack path, and Slack (which allows "hundreds" a minute) answered most with 429.
    try:
        app = App(**options, token_verification_enabled=True)
    except (BoltError, OSError) as exc:
        refused = next((code for code in REFUSED_TOKEN if code in str(exc)), None)
        if refused:
            raise SlackTokenRefused(
                f"SLACK_BOT_TOKEN: Slack refused it ({refused}); copy the Bot User OAuth Token "
                "(xoxb-...) from your Slack app's OAuth & Permissions page"
            ) from None
        log.warning("could not ask Slack who the bot is (%s); asking on the first request", exc)
        app = App(**options, token_verification_enabled=False)
    if signing_secret is not None:
        app.use(ReplayGuard(deps.store, clock=deps.clock).middleware)
    if deps.responder is not None:
        app.use(partial(note_response_url, deps.responder))
    handlers.register(app, deps)
    return app


def bolt_request(raw_body: str, headers: Mapping[str, Any], query: str = "") -> BoltRequest:
    """A BoltRequest for an HTTP body, correctly parsed.

    Bolt (1.30) takes any form body containing the text "payload" for an interactive payload:
    a slash command whose text mentions "payload" (`/task deploy_payload ...`) parses to
    nothing, no listener matches and Slack shows the user an error. Found by the property test
    of the commands; here the form is parsed again when Bolt found no `payload` field in it.
    """
    request = BoltRequest(body=raw_body, query=query, headers=dict(headers))
    if not request.body and raw_body and not raw_body.lstrip().startswith("{"):
        form = dict(parse_qsl(raw_body, keep_blank_values=True))
        if form and "payload" not in form:
            request.body = form
            request.context = build_context(BoltContext({}), form)
    return request


class RequestHandler(SlackRequestHandler):
    """Bolt's WSGI handler, building requests with bolt_request()."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(
            bolt_request(request.get_body(), request.get_headers(), request.query_string)
        )


def _bolt_logger() -> logging.Logger:
    """Bolt's logger, without its warning that SLACK_BOT_TOKEN is unused when a client is
    given: the bot always passes its own client, on purpose."""
    logger = logging.getLogger("slack_bolt")
    if not any(isinstance(f, _UnusedTokenFilter) for f in logger.filters):
        logger.addFilter(_UnusedTokenFilter())
    return logger


class _UnusedTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def note_response_url(
    responder: Responder, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
) -> BoltResponse:
    """A response_url's five uses and thirty minutes start when Slack sends it: noted here (a
    dict insert), so that an answer made later knows whether the URL still works."""
    if isinstance(req.body, Mapping):
        responder.note_payload(req.body)
    return next()


class ReplayGuard:
    """Refuses a signed request seen before. Bolt accepts a valid signature for five minutes,
    so without this a captured /deploy could be sent again; the signature covers the timestamp
    and the body, so it identifies one request. Seen signatures are kept in the store, so a
    restart does not reopen the window."""

    def __init__(
        self, store: Store, *, window: float = 600.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.window = window
        self.clock = clock

    def first_time(self, signature: str) -> bool:
        now = self.clock()
        first: bool = self.store.journal(
            lambda db: inbox.first_sight(db, signature, now, self.window)
        )
        return first

    def middleware(
        self, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if req.mode == "socket_mode":
            return next()
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        if not self.first_time(signature):
            log.warning("refused a replayed request (same signature seen before)")
            return BoltResponse(status=401, body="replayed request")
        return next()
