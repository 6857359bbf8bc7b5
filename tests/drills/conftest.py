"""Drill fixtures: one directory for every bot the drills start (its logs are scanned for secrets
at the end), a fake Slack per drill, and the run's reports repeated in the terminal summary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.slack import FakeSlack
from tests.drills.support import REPORTS
from tests.support.process import BOT_TOKEN

SCAN_LAST = "test_7_secret_scan.py"


@pytest.fixture(scope="session")
def drill_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every drill's bot runs in a directory under this one and writes its log there."""
    return tmp_path_factory.mktemp("drills")


@pytest.fixture
def drill_dir(drill_root: Path, request: pytest.FixtureRequest) -> Path:
    path = drill_root / request.node.name.replace("/", "_").replace("[", "-").strip("]")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack on the wall clock, so message timestamps are times, as Slack's are."""
    with FakeSlack(BOT_TOKEN, clock=time.time) as fake:
        yield fake


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """The secret scan reads the logs of every other drill, so it runs last."""
    items.sort(key=lambda item: item.path.name == SCAN_LAST)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORTS:
        terminalreporter.section("failure drills")
        for report in REPORTS:
            terminalreporter.write_line(report)
