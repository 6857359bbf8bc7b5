"""Properties over the default catalog's tasks and plans (hypothesis, pure).

For any values a person can enter, the form reads back to exactly the intent that the slash
command written independently here parses to; every form is a valid Slack view; and a request
prefilled into a form (Run again) and submitted unchanged is the same request.
"""

from __future__ import annotations

import json
import shlex
import string
from datetime import UTC
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands import parse
from commands.ptypes import coerce_params
from forms import (
    FormOptions,
    NodeGroupChoice,
    Submission,
    plan_form,
    prefill_from_body,
    read_plan_form,
    read_task_form,
    task_form,
)
from forms.fields import widget_for
from orchestrator.models import ParamSpec
from orchestrator.requests import EnvironmentPlanRunRequest, PlanRunRequest, TaskRequest
from standins.orchestrator.default_catalog import default_plans, default_tasks
from tests.forms.helpers import GROUPS, NOW, Filled, plan_info, task_info

OPTIONS = FormOptions(node_groups=[NodeGroupChoice(gid, name) for name, gid in GROUPS.items()])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TASKS = [t["name"] for t in default_tasks()]
PLANS = [p["name"] for p in default_plans() if p.get("permitted", True)]
SAFE = string.ascii_letters + string.digits + " .,-_/:@+*"

certnames = st.from_regex(r"[a-z][a-z0-9]{0,8}\.example\.com", fullmatch=True)
words = st.text(SAFE, min_size=1, max_size=20).filter(
    lambda s: s == s.strip() and not s.startswith(("query:", "node_group:")) and s != "undef"
)
queries = st.sampled_from(
    ["nodes[certname] { }", 'inventory[certname] { facts.os.family = "RedHat" }']
)


def _bounds(spec: ParamSpec) -> tuple[int, int]:
    if "[0, 3600]" in spec.type:
        return 0, 3600
    return (1, 10_000) if "[1]" in spec.type else (-1000, 1000)


@st.composite
def param_value(draw: Any, spec: ParamSpec) -> tuple[Any, str | None, Any]:
    """(what the person enters, the word they would type instead, a --params value)."""
    widget = widget_for(spec)
    if not spec.required and draw(st.booleans()):
        return (None if widget != "checkbox" else []), None, None
    default = spec.default if spec.has_default else object()
    if widget == "checkbox":
        ticked = draw(st.booleans())
        if ticked == default or (not ticked and not spec.required and not spec.has_default):
            return (["true"] if ticked else []), None, None
        return (["true"] if ticked else []), f"{spec.name}={str(ticked).lower()}", None
    if widget == "select":
        choice = draw(st.sampled_from([a for a in spec.type[5:-1].split(", ")]))
        return choice, (None if choice == default else f"{spec.name}={choice}"), None
    if widget == "number":
        number = draw(st.integers(*_bounds(spec)))
        return number, (None if number == default else f"{spec.name}={number}"), None
    if widget == "json":
        data = draw(
            st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=5), st.integers())
        )
        return json.dumps(data), None, data
    text = draw(words)
    return text, (None if text == default else f"{spec.name}={text}"), None


@st.composite
def target(draw: Any, param: str | None) -> tuple[str, Any, str]:
    """(block part, value entered, the words typed)."""
    part = draw(st.sampled_from(["nodes", "query", "node_group"]))
    if part == "nodes":
        names = draw(st.lists(certnames, min_size=1, max_size=3, unique=True))
        typed = ",".join(names)
        return part, "\n".join(names), (f"{param}={typed}" if param else f"--nodes {typed}")
    if part == "query":
        query = draw(queries)
        quoted = shlex.quote(query)
        return part, query, (f"{param}=query:{quoted}" if param else f"--query {quoted}")
    group = draw(st.sampled_from(sorted(GROUPS.values())))
    return part, group, (f"{param}=node_group:{group}" if param else f"--node-group {group}")


@st.composite
def task_case(draw: Any) -> tuple[Any, Filled, str]:
    info = task_info(draw(st.sampled_from(TASKS)))
    filled = Filled(task_form(info, environment="production", options=OPTIONS))
    filled.set("ctx:subject", info.name)
    typed, extra = [info.name], {}
    for spec in info.parameters.values():
        entered, word, data = draw(param_value(spec))
        filled.set(f"param:{spec.name}", entered)
        typed += [shlex.quote(word)] if word else []
        extra |= {spec.name: data} if data is not None else {}
    part, value, words_typed = draw(target(None))
    filled.set(f"target:{part}", value)
    typed.append(words_typed)
    if info.supports_noop and draw(st.booleans()):
        filled.set("opt:noop", ["noop"])
        typed.append("--noop")
    timeout = draw(st.none() | st.integers(1, 86_400))
    if timeout:
        filled.set("opt:timeout", timeout)
        typed.append(f"--timeout {timeout}")
    description = draw(st.none() | words)
    if description:
        filled.set("opt:description", description)
        typed.append(shlex.quote(f"--description={description}"))
    if extra:
        typed.append("--params " + shlex.quote(json.dumps(extra)))
    return info, filled, " ".join([*typed, "-e production"])


@given(task_case())
@SETTINGS
def test_any_task_form_reads_as_its_slash_command(case: tuple[Any, Filled, str]) -> None:
    info, filled, typed = case

    result = read_task_form(filled.values, info, options=OPTIONS, now=NOW, zone=UTC)

    assert isinstance(result, Submission), (typed, result)
    assert result.intent == parse("task", typed)
    assert parse("task", result.command.removeprefix("/task ")) == result.intent
    coerce_params(result.intent.raw_params, result.intent.json_params, info.parameters)


@st.composite
def plan_case(draw: Any) -> tuple[Any, Filled, str]:
    info = plan_info(draw(st.sampled_from(PLANS)))
    filled = Filled(plan_form(info, environment="production", options=OPTIONS))
    filled.set("ctx:subject", info.name)
    typed, extra = [info.name], {}
    for spec in info.parameters.values():
        if widget_for(spec) == "target":
            if not spec.required and draw(st.booleans()):
                continue
            part, value, words_typed = draw(target(spec.name))
            filled.set(f"target:{spec.name}:{part}", value)
            typed.append(words_typed)
            continue
        entered, word, data = draw(param_value(spec))
        filled.set(f"param:{spec.name}", entered)
        typed += [shlex.quote(word)] if word else []
        extra |= {spec.name: data} if data is not None else {}
    if extra:
        typed.append("--params " + shlex.quote(json.dumps(extra)))
    return info, filled, " ".join([*typed, "-e production"])


@given(plan_case())
@SETTINGS
def test_any_plan_form_reads_as_its_slash_command(case: tuple[Any, Filled, str]) -> None:
    info, filled, typed = case

    result = read_plan_form(filled.values, info, now=NOW, zone=UTC)

    assert isinstance(result, Submission), (typed, result)
    assert result.intent == parse("plan", typed)
    assert parse("plan", result.command.removeprefix("/plan ")) == result.intent


@given(task_case())
@SETTINGS
def test_a_task_request_run_again_unchanged_is_the_same_request(
    case: tuple[Any, Filled, str],
) -> None:
    info, filled, _ = case
    first = read_task_form(filled.values, info, options=OPTIONS, now=NOW, zone=UTC)
    assert isinstance(first, Submission)
    intent = first.intent
    params = coerce_params(intent.raw_params, intent.json_params, info.parameters)
    body = TaskRequest(
        environment=intent.environment, task=intent.task, params=params, scope=intent.scope,
        noop=intent.noop, timeout=intent.timeout, description=intent.description,
    ).body()  # fmt: skip

    view = task_form(
        info, environment="production", options=OPTIONS, prefill=prefill_from_body("task", body)
    )
    again = read_task_form(Filled(view).values, info, options=OPTIONS, now=NOW, zone=UTC)

    assert isinstance(again, Submission), again
    assert again.intent == intent


@given(plan_case())
@SETTINGS
def test_a_plan_request_run_again_unchanged_is_the_same_request(
    case: tuple[Any, Filled, str],
) -> None:
    info, filled, _ = case
    first = read_plan_form(filled.values, info, now=NOW, zone=UTC)
    assert isinstance(first, Submission)
    intent = first.intent
    params = coerce_params(
        intent.raw_params,
        intent.json_params,
        info.parameters,
        elsewhere=tuple(intent.scoped_params),
    )
    request: PlanRunRequest | EnvironmentPlanRunRequest
    if intent.scoped_params:
        typed = {k: {"value": v} for k, v in params.items()}
        typed |= {k: {"type": kind, "value": v} for k, (kind, v) in intent.scoped_params.items()}
        request = EnvironmentPlanRunRequest(
            plan_name=intent.plan, params=typed, environment="production"
        )
    else:
        request = PlanRunRequest(plan_name=intent.plan, params=params, environment="production")

    prefill = prefill_from_body(request.ENDPOINT, request.body())
    view = plan_form(info, environment="production", options=OPTIONS, prefill=prefill)
    again = read_plan_form(Filled(view).values, info, now=NOW, zone=UTC)

    assert isinstance(again, Submission), again
    assert again.intent == intent
