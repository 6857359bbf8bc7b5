"""Every template renders its sample data within Slack's limits, and escapes user text."""

from __future__ import annotations

from typing import Any

import pytest

from commands.usage import usage
from model.failures import NodeFailure
from model.snapshot import Snapshot
from orchestrator.models import ParamSpec
from render import Renderer
from render.cards import failures_data, job_card_data, summary_data

BODY = {"environment": "production", "scope": {"nodes": ["web01.example.com"]}, "noop": True}


def _card(**overrides: Any) -> dict[str, Any]:
    data = job_card_data(
        key="job:1",
        kind="job",
        name="1",
        endpoint="deploy",
        body=BODY,
        requester="U1",
        snapshot=Snapshot(state="running", node_count=1),
        now=100.0,
        console_url="https://pe",
    )
    data.update(overrides)
    return data


def _summary() -> dict[str, Any]:
    data = summary_data(
        kind="job",
        name="1",
        endpoint="deploy",
        body=BODY,
        snapshot=Snapshot(state="failed", node_count=2, counts={"finished": 1, "failed": 1}),
        failed=[{"node": "web07", "state": "failed", "message": "boom"}],
        failed_total=1,
        outputs=[],
        changed_nodes=1,
        console_url=None,
        now=1.0,
    )
    return {**data, "key": "job:1", "offers": {"enforce": True, "rerun": True}}


SAMPLES: dict[str, dict[str, Any]] = {
    "job_card": _card(),
    "job_failures": failures_data("1", [NodeFailure("web07", "failed", "x")]),
    "job_finished": _summary(),
    "job_stop_requested": {
        "user": "U1",
        "kind_word": "job",
        "name": "1",
        "force": True,
        "counts": [("running", 2)],
    },
    "job_stopping": {"kind_word": "job", "name": "1", "running": 2},
    "contact_lost": {"kind_word": "job", "name": "1", "reason": "timed out"},
    "contact_back": {"kind_word": "job", "name": "1"},
    "job_forgotten": {"kind_word": "job", "name": "1", "reason": "unknown-job"},
    "plan_step": {"number": 1, "label": "task package", "job": "12", "nodes": 2},
    "plan_output": {
        "messages": [{"lines": ["hello", "world"], "cut": False, "pe_cut": True}],
        "more": 0,
    },
    "error": {
        "title": "t",
        "detail": "d",
        "kind": "puppetlabs.orchestrator/empty-target",
        "hint": "h",
    },
    "usage": {"usage": usage("deploy")},
    "usage_error": {"message": "unknown flag --nop", "usage": usage("deploy")},
    "not_allowed": {"subject": "Puppet run in production", "reason": "no", "rule": "r"},
    "request_sent": {
        "subject": "s",
        "endpoint": "deploy",
        "name": "1",
        "followed": True,
        "counts": [],
        "channel": "C1",
        "scheduled": False,
        "schedule": None,
        "drift": None,
    },
    "zone_note": {"why": "your profile has no time zone"},
    "schedule_note": {"event": "cancelled", "name": "3", "user": "U0BOB"},
    "jobs_list": {"items": [], "running": False, "environment": None, "mine": False},
    "watch_note": {
        "event": "list",
        "kind": "job",
        "name": "",
        "channel": "C1",
        "ts": None,
        "withheld": False,
        "environment": "",
        "items": [],
    },
    "schedule_list": {"items": [], "more": 0, "mine": False, "environment": None},
    "schedule_show": {
        "name": "3",
        "subject": "s",
        "environment": "production",
        "enabled": False,
        "owner": None,
        "requester": None,
        "description": "",
        "next_run": None,
        "start": None,
        "every": None,
        "last_run": None,
    },
    "schedule_card": {
        "name": "3",
        "req": {
            "subject": "s",
            "target": None,
            "query": None,
            "options": [],
            "params": [],
            "userdata": [],
            "description": None,
            "via": None,
        },
        "schedule": {"start": 1_800_000_600, "interval": None, "every": None},
        "requester": "U0ALICE",
        "approvers": [],
        "drift": None,
    },
    "stop_confirm": {"job": "12"},
    "task_list": {"environment": "production", "items": [{"name": "package", "permitted": True}]},
    "plan_list": {"environment": "production", "items": [{"name": "canary", "permitted": False}]},
    "task_show": {
        "name": "package",
        "environment": "production",
        "description": "d",
        "supports_noop": True,
        "params": [ParamSpec("action", "Enum[install]")],
    },
    "plan_show": {
        "name": "canary",
        "environment": "production",
        "description": "",
        "permitted": True,
        "params": [ParamSpec("canary", "Integer", has_default=True, default=1)],
    },
    "approval_pending": {"reason": "needs approval", "channel": "C1"},
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_every_template_has_sample_data(renderer: Renderer) -> None:
    assert set(renderer.names()) - {"approval_card"} == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_template_renders_its_sample(renderer: Renderer, name: str) -> None:
    message = renderer.render(name, **SAMPLES[name])
    assert message.text and message.text != "…"
    assert message.blocks, f"{name} rendered no blocks"


def test_missing_field_fails_loudly(renderer: Renderer) -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        renderer.render("contact_back", kind_word="job")


def test_user_text_is_escaped_and_mentions_are_not(renderer: Renderer) -> None:
    body = {**BODY, "description": "<!channel> & <@U999> *hi*"}
    data = _card(req={**_card()["req"], "description": body["description"]})
    text = str(renderer.render("job_card", **data).blocks)
    assert "&lt;!channel&gt; &amp; &lt;@U999&gt;" in text
    assert "<@U1>" in text


def test_running_card_has_a_stop_button_and_a_finished_one_has_none(renderer: Renderer) -> None:
    running = renderer.render("job_card", **_card())
    done = renderer.render("job_card", **_card(stoppable=False))

    def buttons(message: Any) -> list[str]:
        return [
            e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
        ]

    assert buttons(running) == ["job_stop", "run_again"]
    # A finished card keeps only Run again… (issue 16): the form opens with its request.
    assert buttons(done) == ["run_again"]
