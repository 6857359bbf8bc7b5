"""The Home tab's schedules over real HTTP: a person's own enabled schedules (those they asked for
through the bot, from the store issue 14 keeps), each with its next run and interval; a schedule
cancelled or disabled by the policy leaves the tab at the next housekeeping pass, as approvals
and jobs do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from delivery.home_schedules import next_run
from tests.support.harness import Harness, block_text, close_harness, make_harness, signed

DENY_DEV = """
defaults = false

[[rule]]
name = "development frozen"
commands = ["deploy"]
node_environments = ["development"]
action = "deny"
reason = "development is frozen for the release"

[[rule]]
name = "the rest"
action = "run"
"""


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path)
    try:
        yield harness
    finally:
        close_harness(harness)


def open_home(h: Harness, user: str) -> None:
    assert h.bot.app.dispatch(signed(h.slack.open_home(user))).status == 200


def settle(h: Harness, seconds: int = 3) -> None:
    for _ in range(seconds):
        h.tick(1)


def schedules_section(h: Harness, user: str) -> str:
    view = h.slack.home(user)
    assert view is not None, f"no Home tab published for {user}"
    text = block_text(view.view["blocks"])
    assert "Your schedules" in text
    return text.split("Your schedules", 1)[1]


def test_home_shows_a_schedule_once_made_and_drops_it_once_cancelled(h: Harness) -> None:
    open_home(h, "U0ALICE")
    open_home(h, "U0BOB")
    settle(h)
    assert "No schedules" in schedules_section(h, "U0ALICE")

    asked_at = h.clock()
    h.command("/deploy development --nodes web09.example.com --noop --every 1h")
    settle(h)
    mine = schedules_section(h, "U0ALICE")
    assert "/deploy development --nodes web09.example.com --noop --every 1h" in mine
    assert "every 1h" in mine
    # --every alone starts one interval after it was asked; shown as Slack's date.
    assert f"next <!date^{int(asked_at) + 3600}^" in mine
    assert "<#C0DEPLOYS>" in mine
    assert "No schedules" in schedules_section(h, "U0BOB"), "only the requester's own"
    # Among her recent requests it is a schedule, not a job (there is no job 1 yet).
    view = h.slack.home("U0ALICE")
    assert view is not None
    recent = block_text(view.view["blocks"]).split("Your recent requests")[1]
    assert "🗓️ scheduled" in recent and "job `" not in recent.split("Your schedules")[0]

    (name,) = [r[0] for r in h.store.db.execute("SELECT name FROM schedules")]
    h.command(f"/schedule cancel {name}")
    assert h.store.db.execute("SELECT state FROM schedules").fetchone()[0] == "cancelled"
    settle(h)
    assert "No schedules" in schedules_section(h, "U0ALICE")


def test_a_schedule_disabled_by_the_policy_leaves_the_tab(h: Harness) -> None:
    open_home(h, "U0ALICE")
    h.command("/deploy development --nodes web09.example.com --noop --every 1h")
    h.command("/deploy production --nodes web01.example.com --noop --every 2h")
    settle(h)
    before = schedules_section(h, "U0ALICE")
    assert "every 1h" in before and "every 2h" in before
    (h.tmp / "policy.toml").write_text(DENY_DEV, encoding="utf-8")
    settle(h)
    states = dict(h.store.db.execute("SELECT name, state FROM schedules").fetchall())
    assert sorted(states.values()) == ["disabled", "enabled"]
    after = schedules_section(h, "U0ALICE")
    assert "every 1h" not in after and "every 2h" in after


def test_the_next_run_follows_the_interval_from_the_start() -> None:
    assert next_run(1000.0, 600, now=900.0) == 1000.0  # not started yet: the start
    assert next_run(1000.0, 600, now=1000.0) == 1000.0
    assert next_run(1000.0, 600, now=1001.0) == 1600.0
    assert next_run(1000.0, 600, now=2300.0) == 2800.0
    assert next_run(1000.0, None, now=1001.0) is None  # a one-off that is due or done
    assert next_run(None, 600, now=1001.0) is None
