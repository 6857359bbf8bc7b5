"""SlackGroups against a real WebClient and a tiny Slack Web API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from slack_sdk import WebClient

from policy import SlackGroups, Unresolved
from tests.policy.helpers import ALICE, BOB, MALLORY, policy, subject


@dataclass
class SlackState:
    """What the fake Slack answers, and what it was asked."""

    members: dict[str, list[str]] = field(
        default_factory=lambda: {"S0LEADS": [ALICE, BOB], "S0CONTRACT": [MALLORY]}
    )
    handles: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": "S0LEADS", "handle": "sre-leads", "name": "SRE leads"},
            {"id": "S0CONTRACT", "handle": "contractors", "name": "Contractors"},
        ]
    )
    error: str | None = None
    status: int = 200
    calls: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def answer(self, method: str, params: dict[str, list[str]]) -> dict[str, Any]:
        if self.error:
            return {"ok": False, "error": self.error}
        if method == "usergroups.list":
            return {"ok": True, "usergroups": self.handles}
        if method == "usergroups.users.list":
            group = params.get("usergroup", [""])[0]
            if group not in self.members:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.members[group]}
        return {"ok": False, "error": "unknown_method"}


class Handler(BaseHTTPRequestHandler):
    server: Any

    def do_GET(self) -> None:
        self._serve(parse_qs(urlparse(self.path).query))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self._serve({**parse_qs(urlparse(self.path).query), **parse_qs(body)})

    def _serve(self, params: dict[str, list[str]]) -> None:
        state: SlackState = self.server.state
        method = urlparse(self.path).path.rsplit("/", 1)[-1]
        state.calls.append((method, params))
        if state.status != 200:
            payload = b"upstream trouble"
            self.send_response(state.status)
            self.send_header("Content-Type", "text/plain")
        else:
            payload = json.dumps(state.answer(method, params)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Fake:
    state: SlackState
    url: str

    def calls(self, method: str) -> int:
        return sum(1 for m, _ in self.state.calls if m == method)


@pytest.fixture
def slack() -> Iterator[Fake]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = SlackState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield Fake(server.state, f"http://127.0.0.1:{server.server_address[1]}/api/")  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(url: str) -> WebClient:
    # No retries: a failure should show at once, not after a back-off sleep.
    return WebClient(token="xoxb-test", base_url=url, timeout=5, retry_handlers=[])


def groups(fake: Fake, clock: Clock, **kwargs: Any) -> SlackGroups:
    return SlackGroups(client(fake.url), clock=clock, **kwargs)


def test_members_by_id(slack: Fake) -> None:
    resolver = groups(slack, Clock())
    assert resolver.members("S0LEADS") == frozenset({ALICE, BOB})
    assert slack.state.calls == [("usergroups.users.list", {"usergroup": ["S0LEADS"]})]


def test_members_are_cached_for_the_ttl(slack: Fake) -> None:
    clock = Clock()
    resolver = groups(slack, clock, ttl=300)
    resolver.members("S0LEADS")
    slack.state.members["S0LEADS"] = [BOB]
    clock.now += 299
    assert resolver.members("S0LEADS") == frozenset({ALICE, BOB})
    assert slack.calls("usergroups.users.list") == 1
    clock.now += 2
    assert resolver.members("S0LEADS") == frozenset({BOB})
    assert slack.calls("usergroups.users.list") == 2


def test_handles_are_mapped_with_one_usergroups_list(slack: Fake) -> None:
    resolver = groups(slack, Clock())
    assert resolver.members("@sre-leads") == frozenset({ALICE, BOB})
    assert resolver.members("@Contractors") == frozenset({MALLORY})
    assert resolver.members("@sre-leads") == frozenset({ALICE, BOB})
    assert slack.calls("usergroups.list") == 1
    assert slack.calls("usergroups.users.list") == 2


def test_an_unknown_handle_is_unresolved(slack: Fake, caplog: pytest.LogCaptureFixture) -> None:
    resolver = groups(slack, Clock())
    with caplog.at_level(logging.WARNING, logger="policy.slack_groups"):
        found = resolver.members("@nobody-here")
    assert isinstance(found, Unresolved) and not found
    assert "no Slack user group has the handle @nobody-here" in caplog.text


def test_a_slack_error_denies_rather_than_allows(
    slack: Fake, caplog: pytest.LogCaptureFixture
) -> None:
    slack.state.error = "ratelimited"
    resolver = groups(slack, Clock())
    allow = policy('[[rule]]\nname = "leads"\nrequesters = ["@sre-leads"]\naction = "run"\n')
    deny = policy('[[rule]]\nname = "no c"\ndeny = ["S0CONTRACT"]\naction = "run"\n')
    with caplog.at_level(logging.WARNING, logger="policy.slack_groups"):
        assert allow.decide(subject(user_id=ALICE), resolver).action == "deny"
        assert deny.decide(subject(user_id=ALICE), resolver).action == "deny"
    assert "ratelimited" in caplog.text
    assert "no answer, which denies" in caplog.text


def test_a_slack_error_keeps_the_last_known_members(
    slack: Fake, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    resolver = groups(slack, clock, ttl=300, retry_after=30)
    assert resolver.members("S0LEADS") == frozenset({ALICE, BOB})
    slack.state.error = "internal_error"
    clock.now += 301
    with caplog.at_level(logging.WARNING, logger="policy.slack_groups"):
        assert resolver.members("S0LEADS") == frozenset({ALICE, BOB})
    assert "the last known answer" in caplog.text
    # The failure is not retried on every request...
    clock.now += 29
    resolver.members("S0LEADS")
    assert slack.calls("usergroups.users.list") == 2
    # ...but after retry_after, and a recovered Slack is believed again.
    slack.state.error = None
    slack.state.members["S0LEADS"] = [BOB]
    clock.now += 2
    assert resolver.members("S0LEADS") == frozenset({BOB})


def test_a_deleted_group_is_unresolved(slack: Fake) -> None:
    assert isinstance(groups(slack, Clock()).members("S0GONE"), Unresolved)


def test_an_http_failure_is_unresolved(slack: Fake) -> None:
    slack.state.status = 500
    resolver = groups(slack, Clock())
    assert isinstance(resolver.members("S0LEADS"), Unresolved)
    assert isinstance(resolver.members("@sre-leads"), Unresolved)


def test_an_unreachable_slack_is_unresolved() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    resolver = SlackGroups(client(f"http://127.0.0.1:{port}/api/"), clock=Clock())
    assert isinstance(resolver.members("S0LEADS"), Unresolved)


def test_policy_decides_with_slack_groups(slack: Fake) -> None:
    resolver = groups(slack, Clock())
    p = policy("""
        [[rule]]
        name = "prod"
        deny = ["@contractors"]
        action = "approve"
        approvers = ["@sre-leads"]
    """)
    assert p.decide(subject(user_id=MALLORY), resolver).action == "deny"
    decision = p.decide(subject(user_id="U0DAVE"), resolver)
    assert decision.action == "approve"
    assert p.may_approve(decision, BOB, "U0DAVE", resolver) == (True, "")
    assert p.may_approve(decision, MALLORY, "U0DAVE", resolver)[0] is False
