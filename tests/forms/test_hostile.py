"""Forged submissions: any state shape, any metadata; the readers answer, never crash."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms import (
    FormContext,
    FormErrors,
    Submission,
    read_deploy_form,
    read_plan_form,
    read_task_form,
)
from tests.forms.helpers import NOW, plan_info, task_info

BLOCKS = [
    "ctx:channel", "ctx:environment", "ctx:subject", "param:action", "param:name",
    "param:version", "target:nodes", "target:query", "target:node_group", "target:targets:nodes",
    "param:message", "opt:timeout", "opt:at", "opt:every", "opt:noop", "deploy:tags",
]  # fmt: skip
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
states = st.dictionaries(
    st.sampled_from(
        ["type", "value", "selected_option", "selected_options", "selected_conversation"]
    ),
    json_values,
    max_size=3,
)
values = st.dictionaries(
    st.sampled_from(BLOCKS),
    st.dictionaries(st.text(max_size=5), states | json_values, max_size=2),
    max_size=12,
)


@given(values)
@settings(max_examples=150, deadline=None)
def test_a_forged_state_never_crashes_a_reader(forged: Any) -> None:
    for result in (
        read_task_form(forged, task_info("package"), now=NOW, zone=UTC),
        read_plan_form(forged, plan_info("example_plan"), now=NOW, zone=UTC),
        read_deploy_form(forged, now=NOW, zone=UTC),
    ):
        assert isinstance(result, Submission | FormErrors)


@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "not json",
        "[]",
        '{"v": 2, "kind": "task"}',
        '{"v": 1, "kind": "stop"}',
        '{"v": 1, "kind": "task", "extra": 3}',
    ],
)
def test_private_metadata_that_is_not_a_forms_is_refused(metadata: str) -> None:
    with pytest.raises(ValueError):
        FormContext.decode(metadata)


def test_form_errors_answer_in_slacks_shape() -> None:
    assert FormErrors({"param:x": "No."}).response() == {
        "response_action": "errors",
        "errors": {"param:x": "No."},
    }


def test_a_context_too_big_for_private_metadata_is_refused_when_built() -> None:
    with pytest.raises(ValueError):
        FormContext("task", "x", "production", {"blob": "x" * 3000}).encode()
