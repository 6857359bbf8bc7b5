"""A form that asks for --at/--every, over real HTTP (signed payloads to the real Bolt app, the
fake Slack, the simulator): it makes the schedule the slash command makes, with the same POST
/scheduled_jobs/environment_jobs body, its times read in the requester's Slack zone; a bad or
past time is an inline error beside its field; the policy holds a repeating enforcing
production schedule for approval as it does the slash one."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.forms_person import Person
from tests.support.harness import Harness, close_harness, make_harness

CHANNEL = "C0DEPLOYS"
SCHEDULES = "/scheduled_jobs/environment_jobs"
DEFAULTS = "defaults = true\n"


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Any]:
    made: list[Harness] = []

    def build(**kwargs: Any) -> Harness:
        h = make_harness(tmp_path, **kwargs)
        made.append(h)
        return h

    yield build
    for h in made:
        close_harness(h)


def posted(h: Harness) -> list[dict[str, Any]]:
    return [
        r["body"] for r in h.sim_requests if r["path"].endswith(SCHEDULES) and r["method"] == "POST"
    ]


def without_marker(body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body.get("userdata", {}).pop("chatops_request", None)
    return body


def a_moment(h: Harness) -> None:
    """A person takes a few seconds to fill a form or type a command: Slack's users.info is
    held to 100 a minute (one each 0.6 s), and the form and the schedule's path each read it."""
    h.clock.advance(5)


def requests_texts(h: Harness) -> list[str]:
    return [r[0] for r in h.store.db.execute("SELECT text FROM requests ORDER BY created_at")]


def test_a_form_with_a_time_makes_the_schedule_the_slash_command_makes(make: Any) -> None:
    h = make()
    h.slack.set_timezone("U0ALICE", "Europe/Paris")
    alice = Person(h)
    alice.type("/task")
    alice.choose("package")
    alice.fill("param:action", "status").fill("param:name", "httpd")
    alice.fill("target:nodes", "web09.example.com")
    alice.fill("opt:at", "10:00").fill("opt:every", "daily")
    a_moment(h)
    assert alice.submit() == "close"
    (from_form,) = posted(h)
    assert not h.requests_seen("/command/task"), "a schedule, not a run now"
    # The harness clock is about 2027-01-15T08:00Z, 09:00 in Paris: 10:00 there is 09:00Z.
    assert from_form["schedule"]["start_time"] == "2027-01-15T09:00:00Z"
    assert from_form["schedule"]["interval"] == {"value": 86400, "units": "seconds"}
    assert from_form["userdata"]["chatops_tz"] == "Europe/Paris"
    (typed,) = requests_texts(h)

    # The slash command a person would type for the same request (its text is the schedule's
    # description, so it is typed as the form spells it).
    expected = "/task package action=status name=httpd --nodes web09.example.com "
    expected += "--environment production --at 10:00 --every daily"
    assert typed == expected
    a_moment(h)
    h.command(expected)
    first, second = posted(h)
    assert first["userdata"]["chatops_request"] != second["userdata"]["chatops_request"]
    assert without_marker(first) == without_marker(second)
    # ...and the same schedule card, in the channel the form chose.
    h.tick(1.5)
    cards = [m for m in h.slack.messages(CHANNEL) if "Cancel" in json.dumps(m.blocks)]
    assert len(cards) == 2


def test_a_deploy_form_schedule_matches_the_slash_command(make: Any) -> None:
    h = make()
    alice = Person(h)
    alice.type("/deploy")
    alice.fill("ctx:environment", "development").fill("target:nodes", "web09.example.com")
    alice.fill("opt:at", "2027-01-15T12:00:00Z")
    assert alice.submit() == "close"
    (typed,) = requests_texts(h)
    h.command(typed)
    first, second = posted(h)
    assert first["schedule"] == {"start_time": "2027-01-15T12:00:00Z", "interval": None}
    assert without_marker(first) == without_marker(second)


@pytest.mark.parametrize(
    ("block", "value", "words"),
    [
        ("opt:at", "2020-01-01T00:00:00Z", "in the past"),
        ("opt:at", "yesterday", "not a time I can read"),
        # 08:30 in Paris passed half an hour ago (it is 09:00 there), though not yet in UTC:
        # the time is read in the person's zone on the ack path.
        ("opt:at", "today 08:30", "has passed (it is 09:00 in Europe/Paris)"),
        ("opt:every", "10s", "too often"),
    ],
)
def test_a_bad_or_past_time_is_an_inline_error_and_nothing_is_sent(
    make: Any, block: str, value: str, words: str
) -> None:
    h = make()
    h.slack.set_timezone("U0ALICE", "Europe/Paris")
    alice = Person(h)
    alice.type("/deploy")
    alice.fill("ctx:environment", "development").fill("target:nodes", "web09.example.com")
    alice.fill(block, value)
    assert alice.submit() == "errors"
    errors = alice.errors()
    assert words in errors.get(block, ""), errors
    assert posted(h) == [] and not h.requests_seen("/command/deploy")
    assert h.store.db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


def test_a_timeout_cannot_be_scheduled_and_says_so_beside_the_timeout(make: Any) -> None:
    h = make()
    alice = Person(h)
    alice.type("/task")
    alice.choose("facts")
    alice.fill("target:nodes", "web09.example.com").fill("opt:timeout", 60)
    alice.fill("opt:every", "1h")
    assert alice.submit() == "errors"
    assert "cannot be scheduled" in alice.errors().get("opt:timeout", ""), alice.errors()
    assert posted(h) == []


def test_a_repeating_enforcing_production_schedule_from_a_form_is_held_for_approval(
    make: Any,
) -> None:
    h = make(policy=DEFAULTS)
    alice = Person(h)
    alice.type("/task")
    alice.choose("package")
    alice.fill("param:action", "status").fill("param:name", "httpd")
    alice.fill("target:nodes", "web09.example.com").fill("opt:every", "1d")
    a_moment(h)
    assert alice.submit() == "close"
    assert posted(h) == []  # held: a standing permission to change nodes
    h.tick(1.5)
    card = next(m for m in h.slack.messages(CHANNEL) if "approval_approve" in json.dumps(m.blocks))
    assert "repeating enforcing schedule" in json.dumps(card.blocks)
    value = next(
        e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "approval_approve"
    )  # fmt: skip
    h.click("approval_approve", value, user="U0BOB", message_ts=card.ts)
    h.tick(1.5)
    (sent,) = posted(h)
    assert sent["type"] == "task" and sent["input"]["name"] == "package"
    assert sent["schedule"]["interval"] == {"value": 86400, "units": "seconds"}


def test_without_a_known_zone_only_a_time_wrong_everywhere_is_refused_inline(make: Any) -> None:
    h = make()
    h.slack.set_timezone("U0ALICE", "")  # Slack gives no zone for her: it is not known
    alice = Person(h)
    alice.type("/deploy")
    alice.fill("ctx:environment", "development").fill("target:nodes", "web09.example.com")
    alice.fill("opt:at", "2020-01-01T00:00:00Z")
    assert alice.submit() == "errors"  # past wherever she is
    assert "in the past" in alice.errors().get("opt:at", "")

    # 04:00 has passed in UTC (it is 08:00Z) but not yet in New York (03:00): not refused
    # beside the field. The schedule's path reads her zone as the slash command's does (UTC,
    # as Slack gives none) and tells her privately; nothing is scheduled.
    alice.fill("opt:at", "today 04:00")
    a_moment(h)
    assert alice.submit() == "close"
    assert posted(h) == []
    said = "\n".join(json.dumps(r.blocks) for r in h.responses())
    assert "04:00 today has passed" in said, said
