"""What every template sends Slack, case by case, is exactly what it sent when the snapshot was
taken: a template can be reorganised (shared lines moved into includes and macros) without a
single character of any message changing.

A deliberate change to a message: run `UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest
tests/render/test_template_snapshots.py`, and read the diff of `tests/render/snapshots/`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from render import Renderer
from tests.render.template_cases import CASES

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def rendered(renderer: Renderer, template: str) -> dict[str, Any]:
    return {
        case: renderer.render(template, **data).payload() for case, data in CASES[template].items()
    }


def test_every_template_has_cases_and_a_snapshot(renderer: Renderer) -> None:
    assert set(CASES) == set(renderer.names())
    if not UPDATE:
        assert {p.stem for p in SNAPSHOTS.glob("*.json")} == set(CASES)


@pytest.mark.parametrize("template", sorted(CASES))
def test_a_template_renders_as_its_snapshot(renderer: Renderer, template: str) -> None:
    path = SNAPSHOTS / f"{template}.json"
    now = rendered(renderer, template)
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    before = json.loads(path.read_text(encoding="utf-8"))
    assert set(now) == set(before), "cases added or removed: update the snapshot"
    for case in now:
        assert now[case] == before[case], f"{template} / {case} renders differently"
