"""Fixtures for the fake Slack's own tests: a running fake and a real WebClient pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from standins.slack import FakeSlack

# slack_sdk sends every request through a proxy named in these variables (it ignores
# NO_PROXY), and Bolt reads SLACK_*; neither may leak into an offline test.
_LEAKY_ENV = (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    # These tests check what each method does, call after call; the rate limits, beside the
    # point here, have their own tests (test_ratelimits.py) on a clock of their own.
    slack = FakeSlack("xoxb-test", rate_limits=False).start()
    try:
        yield slack
    finally:
        slack.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    # No retry handlers: a test that wants retries adds them itself.
    return WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])
