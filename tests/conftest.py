"""Shared fixtures: an offline environment, and the whole bot wired to its stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import Harness, close_harness, make_harness

# slack_sdk sends every request through a proxy named in these variables (it ignores NO_PROXY),
# and the bot reads SLACK_* and PE_*; none of them may leak into an offline test.
LEAKY_ENV = (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
    "PE_ORCHESTRATOR_URL", "PE_RBAC_TOKEN", "PE_RBAC_TOKEN_FILE", "PE_CA_CERT", "PE_CONSOLE_URL",
    "DATABASE_PATH", "POLICY_FILE", "CONNECTIONS_FILE", "POLL_INTERVAL",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = make_harness(tmp_path)
    try:
        yield h
    finally:
        close_harness(h)
