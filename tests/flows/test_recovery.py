"""Restart recovery of a request caught mid-launch: find its job on any PE, however busy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.recovery import resume, settle_after
from flows.subject import with_marker
from orchestrator.requests import DeployRequest, Scope
from standins.orchestrator import world_from_dict
from store import jobs, requests
from tests.support.harness import Harness, close_harness, make_harness
from tests.support.pe_bodies import body, needs_bodies
from tests.support.replay import replay_bot

CHANNEL = "C0DEPLOYS"
USER = "U0ALICE"


def launching(h: Harness, rid: str, request: DeployRequest, *, send: bool) -> DeployRequest:
    """A request the bot recorded as `launching` when it crashed; sent to PE if `send`."""
    marked = with_marker(request, rid, USER)
    if send:
        h.bot.deps.orchestrator.deploy(marked)
    url = h.slack.new_response_url(channel=CHANNEL, user=USER)
    with h.store.write() as db:
        requests.create(
            db,
            id=rid,
            now=h.clock() - settle_after(h.bot.deps),  # the crash cut its send off long enough ago
            channel_id=CHANNEL,
            user_id=USER,
            command="deploy",
            text="/deploy production",
            request=marked,
            state="launching",
            response_url=url,
        )
    return marked


def state(h: Harness, rid: str) -> str:
    row = requests.get(h.store.db, rid)
    assert row is not None
    return row.state


def deploy(*nodes: str) -> DeployRequest:
    return DeployRequest(environment="production", scope=Scope.nodes(list(nodes)), noop=True)


@pytest.fixture
def old_pe(tmp_path: Path) -> Iterator[Harness]:
    """The bot against a simulated PE 2019.8, whose jobs carry no userdata."""
    world = world_from_dict({"settings": {"pe_version": "2019.8"}})
    h = make_harness(tmp_path, world=world)
    try:
        yield h
    finally:
        close_harness(h)


@needs_bodies
def test_item_5_a_pe_2016_job_without_userdata_is_found_by_what_it_was_asked(
    tmp_path: Path,
) -> None:
    # PE 2016.4 (jenkins-pe-plugin): job 711, a Puppet run in production on "doesnotexist".
    # GET /jobs items of that PE have no userdata and the list no pagination
    # (orchestrator_client-ruby jobs_spec), so the list holds the recorded job record.
    job = body("jenkins-pe-plugin/2016.4_orchestrator_v1_jobs_711_job_node_does_not_exist.json")
    created = datetime(2016, 12, 15, 18, 20, 20, tzinfo=UTC).timestamp()
    run = replay_bot(tmp_path, {"GET /jobs": {"items": [job]}}, start=created + 30)
    h = run.harness
    try:
        request = DeployRequest(environment="production", scope=Scope.nodes(["doesnotexist"]))
        h.clock.advance(-30)
        launching(h, "req-2016", request, send=False)
        h.clock.advance(30)
        resume(h.bot.deps)
        assert state(h, "req-2016") == "launched"
        assert jobs.get(h.store.db, "job:711") is not None
    finally:
        run.close()


def test_item_5_on_pe_2019_the_job_is_found_without_userdata(old_pe: Harness) -> None:
    h = old_pe
    launching(h, "req-1", deploy("web01.example.com", "web02.example.com"), send=True)
    listed = h.bot.deps.orchestrator.jobs().items
    assert listed[0].userdata is None  # PE 2019.8 drops it
    h.tick(1)
    resume(h.bot.deps)
    assert state(h, "req-1") == "launched"
    assert jobs.get(h.store.db, "job:1") is not None
    h.run_until_quiet()
    assert jobs.get(h.store.db, "job:1").done  # followed to its end
    assert len(h.requests_seen("/command/deploy")) == 1  # never sent twice


def test_a_job_the_bot_already_follows_is_not_taken_for_another_request(
    old_pe: Harness,
) -> None:
    h = old_pe
    h.command("/deploy production --nodes web01.example.com --noop")  # followed as job 1
    launching(h, "req-2", deploy("web01.example.com"), send=False)  # identical, never sent
    resume(h.bot.deps)
    assert state(h, "req-2") == "failed"
    assert "no record of it" in (requests.get(h.store.db, "req-2").error or "")


def test_two_jobs_that_fit_are_not_guessed_between(old_pe: Harness) -> None:
    h = old_pe
    request = deploy("web01.example.com")
    launching(h, "req-3", request, send=True)
    h.bot.deps.orchestrator.deploy(with_marker(request, "someone-else", "U0BOB"))
    resume(h.bot.deps)
    assert state(h, "req-3") == "failed"
    error = requests.get(h.store.db, "req-3").error or ""
    assert "2 jobs that fit it (" in error and "cannot tell" in error
    assert jobs.followed_count(h.store.db) == 0
    assert len(h.requests_seen("/command/deploy")) == 2  # nothing sent again


def test_on_a_busy_pe_the_search_goes_back_as_far_as_the_request(harness: Harness) -> None:
    h = harness
    launching(h, "req-busy", deploy("web01.example.com"), send=True)
    h.clock.advance(60)  # the bot's job has finished; 250 others have happened since
    for _ in range(250):
        h.clock.advance(0.01)
        h.bot.deps.orchestrator.deploy(deploy("web02.example.com"))
    newest = h.bot.deps.orchestrator.jobs(order="desc", order_by="timestamp", limit=200).items
    assert "1" not in {j.name for j in newest}  # beyond the 200 most recent
    resume(h.bot.deps)
    assert state(h, "req-busy") == "launched"
    assert jobs.get(h.store.db, "job:1") is not None


def test_the_search_stops_at_the_requests_age(harness: Harness) -> None:
    h = harness
    for _ in range(450):  # old jobs, an hour before the request
        h.bot.deps.orchestrator.deploy(deploy("web02.example.com"))
    h.clock.advance(3600)
    launching(h, "req-new", deploy("web01.example.com"), send=False)
    before = len([r for r in h.sim_requests if r["path"].endswith("/jobs")])
    resume(h.bot.deps)
    reads = len([r for r in h.sim_requests if r["path"].endswith("/jobs")]) - before
    assert state(h, "req-new") == "failed"  # PE has no record of it
    assert reads == 1  # the newest page already reaches past the request's age


def test_on_pe_2016_which_lists_only_the_most_recent_n_the_search_asks_for_more(
    tmp_path: Path,
) -> None:
    # PE 2016.5 docs: GET /jobs takes only `limit` ("the most recent n jobs"); no offset.
    h = make_harness(tmp_path, world=world_from_dict({"settings": {"pe_version": "2016.4"}}))
    try:
        launching(h, "req-old", deploy("web01.example.com"), send=True)
        h.clock.advance(60)
        for _ in range(300):
            h.clock.advance(0.01)
            h.bot.deps.orchestrator.deploy(deploy("web02.example.com"))
        resume(h.bot.deps)
        assert state(h, "req-old") == "launched"
        assert jobs.get(h.store.db, "job:1") is not None
        limits = [r["query"].get("limit") for r in h.sim_requests if r["path"].endswith("/jobs")]
        assert limits == ["200", "200", "1000"]  # offset ignored, then the most recent 1,000
    finally:
        close_harness(h)


def test_a_send_cut_off_moments_ago_is_looked_up_once_it_is_surely_over(harness: Harness) -> None:
    """A busy PE may create the job after the bot is back: the bot does not tell the requester
    "no record of it" until the send it lost would have timed out (drill 1b found this)."""
    h = harness
    marked = with_marker(deploy("web01.example.com"), "req-late", USER)
    url = h.slack.new_response_url(channel=CHANNEL, user=USER)
    with h.store.write() as db:
        requests.create(
            db,
            id="req-late",
            now=h.clock() - 1.0,  # cut off a second before this start
            channel_id=CHANNEL,
            user_id=USER,
            command="deploy",
            text="/deploy production",
            request=marked,
            state="launching",
            response_url=url,
        )
    resume(h.bot.deps)
    assert state(h, "req-late") == "launching"  # not yet judged lost
    h.tick(5.0)
    assert state(h, "req-late") == "launching"
    h.bot.deps.orchestrator.deploy(marked)  # PE finishes the POST it had received
    h.tick(settle_after(h.bot.deps))
    assert state(h, "req-late") == "launched"
    row = requests.get(h.store.db, "req-late")
    assert row is not None and row.job_id is not None
    assert jobs.get(h.store.db, row.job_id) is not None  # followed, with its card
    said = [str(r.body.get("text", "")) for r in h.slack.responses() if r.url == url]
    assert said and not any("not sent" in s for s in said), said


def test_a_send_that_never_arrived_is_reported_once_it_is_surely_over(harness: Harness) -> None:
    h = harness
    marked = with_marker(deploy("web01.example.com"), "req-lost", USER)
    with h.store.write() as db:
        requests.create(
            db,
            id="req-lost",
            now=h.clock() - 1.0,
            channel_id=CHANNEL,
            user_id=USER,
            command="deploy",
            text="/deploy production",
            request=marked,
            state="launching",
            response_url=h.slack.new_response_url(channel=CHANNEL, user=USER),
        )
    resume(h.bot.deps)
    assert state(h, "req-lost") == "launching"
    h.tick(settle_after(h.bot.deps))
    assert state(h, "req-lost") == "failed"
    assert "A request was not sent." in h.last_response_text()
