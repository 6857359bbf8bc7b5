"""After a crash mid-send, a schedule is looked up by its marker among the existing schedules
before anything is sent again: a repeating schedule is never created twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.recovery import resume, settle_after
from flows.subject import with_marker
from orchestrator.requests import DeployRequest, ScheduleRequest, Scope
from orchestrator.schedules import schedule_request
from store import requests
from tests.support.harness import Harness, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
USER = "U0ALICE"
SCHEDULES = "/scheduled_jobs/environment_jobs"


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = make_harness(tmp_path)
    try:
        yield harness
    finally:
        close_harness(harness)


def launching(h: Harness, rid: str, *, send: bool) -> ScheduleRequest:
    """A repeating schedule the bot recorded as `launching` when it crashed; sent if `send`."""
    start = datetime.fromtimestamp(h.clock(), UTC) + timedelta(hours=1)
    run = DeployRequest(environment="development", scope=Scope.nodes(["web09.example.com"]))
    marked = with_marker(schedule_request(run, start=start, interval=3600), rid, USER)
    assert isinstance(marked, ScheduleRequest)
    if send:
        h.bot.deps.orchestrator.schedule(marked)
    url = h.slack.new_response_url(channel=CHANNEL, user=USER)
    with h.store.write() as db:
        requests.create(
            db,
            id=rid,
            now=h.clock() - settle_after(h.bot.deps),  # the crash cut its send off long enough ago
            channel_id=CHANNEL,
            user_id=USER,
            command="deploy",
            text="/deploy development --every 1h",
            request=marked,
            state="launching",
            response_url=url,
        )
    return marked


def posts(h: Harness) -> int:
    return sum(1 for r in h.sim_requests if r["method"] == "POST" and r["path"].endswith(SCHEDULES))


def test_a_schedule_created_before_the_crash_is_adopted_not_sent_again(h: Harness) -> None:
    # Another schedule of someone else's first, so the lookup must read the marker.
    launching(h, "other0000000000", send=True)
    with h.store.write() as db:
        requests.transition(db, "other0000000000", ("launching",), "launched", h.clock())
    launching(h, "aaaa000000000001", send=True)
    assert posts(h) == 2
    resume(h.bot.deps)
    assert posts(h) == 2
    row = requests.get(h.store.db, "aaaa000000000001")
    assert row is not None and row.state == "launched"
    assert len(h.bot.deps.orchestrator.all_scheduled_jobs()) == 2
    named = {s.userdata.get("chatops_request"): s.name for s in
             h.bot.deps.orchestrator.all_scheduled_jobs()}  # fmt: skip
    assert row.job_id == named["aaaa000000000001"]


def test_a_schedule_the_crash_kept_from_pe_is_sent_once_after_the_lookup(h: Harness) -> None:
    launching(h, "bbbb000000000002", send=False)
    resume(h.bot.deps)
    assert posts(h) == 1
    row = requests.get(h.store.db, "bbbb000000000002")
    assert row is not None and row.state == "launched"
    resume(h.bot.deps)  # a second restart finds it launched: nothing more
    assert posts(h) == 1
