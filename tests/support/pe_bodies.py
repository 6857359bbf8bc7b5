"""Real PE orchestrator bodies, read from ../shared/reference/pe-bodies (never copied here).

Their sources are listed in that folder's SOURCES.md. Tests that replay them are skipped, with
the reason, when the folder is absent. A body a test needs in a slightly different form is
patched with `patched(...)`, and the test says why beside the call.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BODIES = (ROOT / ".." / "shared" / "reference" / "pe-bodies").resolve()
MISSING = (
    f"the real PE bodies are not at {BODIES} (../shared/reference/pe-bodies from the repo "
    "root; see its SOURCES.md), so the tests that replay them cannot run"
)

needs_bodies = pytest.mark.skipif(not BODIES.is_dir(), reason=MISSING)


def body(relative: str) -> Any:
    """One real body, e.g. `pe-2021.7.1/job.json`, as parsed JSON (a fresh copy each call)."""
    return json.loads((BODIES / relative).read_text(encoding="utf-8"))


def patched(data: Any, **changes: Any) -> Any:
    """A deep copy of `data` with top-level keys replaced (None deletes a key)."""
    out = copy.deepcopy(data)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def all_json() -> list[str]:
    """Every JSON body under the folder, relative to it."""
    if not BODIES.is_dir():
        return []
    return sorted(str(p.relative_to(BODIES)) for p in BODIES.rglob("*.json"))
