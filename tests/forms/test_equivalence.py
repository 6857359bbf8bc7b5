"""A form filled in Slack and the slash command a person would type give the same request.

The forms go out with views.open to the fake Slack over real HTTP, are filled as a person would
fill them, and come back as the view_submission Slack sends; the intent read from it must equal
what commands.parse makes of the slash text, and the orchestrator request the flow builds from
each (flows.build, against the simulator) must be the same JSON body. Run again: a stored body
reopened as a form and submitted unchanged makes that body again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk import WebClient

from commands import parse
from commands.intents import RunDeploy, RunPlan, RunTask
from flows.build import plan_request, task_request
from forms import (
    FormContext,
    FormOptions,
    NodeGroupChoice,
    Submission,
    deploy_form,
    plan_form,
    prefill_from_body,
    read_deploy_form,
    read_plan_form,
    read_task_form,
    task_form,
)
from orchestrator.client import OrchestratorClient
from standins.orchestrator import Simulator, default_world
from standins.slack import FakeSlack
from tests.forms.helpers import GROUPS, NOW
from tests.support.harness import Clock

OPTIONS = FormOptions(
    environments=["production", "development"],
    node_groups=[NodeGroupChoice(gid, name) for name, gid in GROUPS.items()],
)


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(rate_limits=False) as fake:
        yield fake


@pytest.fixture(scope="module")
def orchestrator() -> OrchestratorClient:
    sim = Simulator(default_world(), clock=Clock(), node_seconds=1.0)
    http = httpx.Client(transport=sim.transport())
    return OrchestratorClient(
        http, "https://orchestrator.example.com:8143", "demo-token", sleep=lambda s: None
    )


class Person:
    """Alice, in Slack, with a form the app opened for her."""

    def __init__(self, slack: FakeSlack, view: dict[str, Any]) -> None:
        self.slack = slack
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        trigger = slack.new_trigger_id(user="U0ALICE", channel="C0DEPLOYS")
        self.view_id = client.views_open(trigger_id=trigger, view=view)["view"]["id"]

    def fill(self, **fields: Any) -> Person:
        for block_id, value in fields.items():
            block_id = block_id.replace("__", ":")
            if block_id == "ctx:subject":
                option = {"text": {"type": "plain_text", "text": value}, "value": value}
                self.slack.answer_suggestion(self.view_id, block_id, "value", {"options": [option]})
            action = self._action(block_id)
            self.slack.fill(self.view_id, block_id, action, value)
        return self

    def _action(self, block_id: str) -> str:
        block = next(
            b for b in self.slack.view(self.view_id).blocks if b.get("block_id") == block_id
        )
        return str(block["element"]["action_id"])

    def submit(self) -> dict[str, Any]:
        payload = parse_qs(self.slack.submission(self.view_id).decode())["payload"][0]
        view = json.loads(payload)["view"]
        assert FormContext.decode(view["private_metadata"]).kind in ("task", "plan", "deploy")
        return dict(view["state"]["values"])


def submitted(result: Any) -> Submission:
    assert isinstance(result, Submission), result
    return result


def body_of(client: OrchestratorClient, intent: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(intent, RunTask):
        return "task", task_request(client, intent).body()
    if isinstance(intent, RunPlan):
        request = plan_request(client, intent)
        return request.ENDPOINT, request.body()
    assert isinstance(intent, RunDeploy)
    return "deploy", intent.request.body()


TASKS: list[tuple[str, dict[str, Any], str]] = [
    (
        "package",
        {"param__action": "install", "param__name": "httpd", "target__nodes": "web01.example.com"},
        "package action=install name=httpd --nodes web01.example.com -e production",
    ),
    (
        "service",
        {"param__action": "restart", "param__name": "nginx", "target__query": "nodes[certname] { }",
         "opt__noop": ["noop"], "opt__timeout": 60},
        "service action=restart name=nginx --query 'nodes[certname] { }' --noop --timeout 60 "
        "-e production",
    ),
    (
        "mymodule::sleep",
        {"param__seconds": 30, "param__count": 2, "target__node_group": GROUPS["Web servers"],
         "opt__description": "nap time"},
        f"mymodule::sleep seconds=30 count=2 --node-group {GROUPS['Web servers']} "
        "--description 'nap time' -e production",
    ),
    (
        "mymodule::flush_cache",
        {"param__force": ["true"], "param__pattern": "sess:*",
         "target__nodes": "app01.example.com"},
        "mymodule::flush_cache force=true pattern='sess:*' --nodes app01.example.com -e production",
    ),
    ("facts", {"target__nodes": "db01.example.com,db02.example.com"},
     "facts --nodes db01.example.com,db02.example.com -e production"),
]  # fmt: skip


@pytest.mark.parametrize("task, fills, typed", TASKS, ids=[t[0] for t in TASKS])
def test_task_form_and_slash_command_send_the_same_body(
    slack: FakeSlack, orchestrator: OrchestratorClient, task: str, fills: dict[str, Any], typed: str
) -> None:
    info = orchestrator.task_info(task, "production")
    values = (
        Person(slack, task_form(info, environment="production", options=OPTIONS))
        .fill(ctx__subject=task, **fills)
        .submit()
    )

    form = submitted(read_task_form(values, info, options=OPTIONS, now=NOW, zone=UTC))
    slash = parse("task", typed)

    assert form.intent == slash
    assert parse("task", form.command.removeprefix("/task ")) == slash
    assert body_of(orchestrator, form.intent) == body_of(orchestrator, slash)
    assert form.channel == "C0DEPLOYS"


PLANS: list[tuple[str, dict[str, Any], str]] = [
    (
        "canary",
        {"target__nodes__nodes": "web01.example.com\nweb02.example.com", "param__command": "whoami",
         "param__canary": 2},
        "canary nodes=web01.example.com,web02.example.com command=whoami canary=2 -e production",
    ),
    (
        "example_plan",
        {"param__message": "hello there", "target__targets__query": "nodes[certname] { }",
         "param__example_object_param": '{"a": [1, 2]}'},
        "example_plan message='hello there' targets=query:'nodes[certname] { }' "
        "--params '{\"example_object_param\": {\"a\": [1, 2]}}' -e production",
    ),
    (
        "profile::rolling_update",
        {"target__targets__node_group": GROUPS["App servers"], "opt__timeout": 3600},
        f"profile::rolling_update targets=node_group:{GROUPS['App servers']} --timeout 3600 "
        "-e production",
    ),
]  # fmt: skip


@pytest.mark.parametrize("plan, fills, typed", PLANS, ids=[p[0] for p in PLANS])
def test_plan_form_and_slash_command_send_the_same_body(
    slack: FakeSlack, orchestrator: OrchestratorClient, plan: str, fills: dict[str, Any], typed: str
) -> None:
    info = orchestrator.plan_info(plan, "production")
    values = (
        Person(slack, plan_form(info, environment="production", options=OPTIONS))
        .fill(ctx__subject=plan, **fills)
        .submit()
    )

    form = submitted(read_plan_form(values, info, now=NOW, zone=UTC))
    slash = parse("plan", typed)

    assert form.intent == slash
    assert body_of(orchestrator, form.intent) == body_of(orchestrator, slash)


DEPLOYS: list[tuple[dict[str, Any], str]] = [
    ({"target__nodes": "web01.example.com", "deploy__mode": "noop"},
     "production --nodes web01.example.com --noop"),
    ({"ctx__environment": "development", "target__node_group": GROUPS["Web servers"],
      "deploy__concurrency": 3, "deploy__tags": "ntp", "deploy__agent": ["trace"],
      "deploy__enforce": "enforce", "deploy__mode": "no_noop"},
     f"development --node-group {GROUPS['Web servers']} --concurrency 3 --tags ntp --trace "
     "--enforce-environment --no-noop"),
]  # fmt: skip


@pytest.mark.parametrize("fills, typed", DEPLOYS)
def test_deploy_form_and_slash_command_send_the_same_body(
    slack: FakeSlack, orchestrator: OrchestratorClient, fills: dict[str, Any], typed: str
) -> None:
    values = (
        Person(slack, deploy_form(environment="production", options=OPTIONS)).fill(**fills).submit()
    )

    form = submitted(read_deploy_form(values, now=NOW, zone=UTC))

    assert form.intent == parse("deploy", typed)
    assert body_of(orchestrator, form.intent) == body_of(orchestrator, parse("deploy", typed))


RERUNS: list[tuple[str, Callable[..., Any], Callable[..., Any], str]] = [
    ("task", task_form, read_task_form,
     "mymodule::sleep seconds=30 count=2 --nodes web01.example.com,web02.example.com --noop "
     "--timeout 90 --description again -e production"),
    ("plan", plan_form, read_plan_form,
     "example_plan message=hi targets=query:'nodes { }' more_targets=web03.example.com "
     "--params '{\"example_object_param\": {\"k\": 1}}' -e production"),
    ("deploy", deploy_form, read_deploy_form,
     "production --nodes web01.example.com --noop --tags ntp --concurrency 2 --ordering random "
     "--no-enforce-environment --debug --description 'weekly run'"),
]  # fmt: skip


@pytest.mark.parametrize("kind, build, read, typed", RERUNS, ids=[r[0] for r in RERUNS])
def test_run_again_prefills_the_form_with_the_same_request(
    slack: FakeSlack,
    orchestrator: OrchestratorClient,
    kind: str,
    build: Callable[..., Any],
    read: Callable[..., Any],
    typed: str,
) -> None:
    endpoint, body = body_of(orchestrator, parse(kind, typed))
    again = prefill_from_body(endpoint, body)
    info: Any = None
    if kind == "task":
        info = orchestrator.task_info(again.subject or "", "production")
    elif kind == "plan":
        info = orchestrator.plan_info(again.subject or "", "production")
    args = () if kind == "deploy" else (info,)
    view = build(*args, environment="production", options=OPTIONS, prefill=again)
    person = Person(slack, view)
    if kind != "deploy":  # the subject's initial option comes from the prefill
        assert (
            slack.view(person.view_id).values["ctx:subject"]["value"]["selected_option"]["value"]
            == again.subject
        )

    values = person.submit()  # submitted unchanged
    extra = {"options": OPTIONS} if kind == "task" else {}
    form = submitted(read(values, *args, now=NOW, zone=UTC, **extra))

    assert body_of(orchestrator, form.intent) == (endpoint, body)
