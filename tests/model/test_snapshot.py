"""The job snapshot: one frozen value that reads whatever an earlier version saved."""

from __future__ import annotations

from typing import Any

import pytest

from model.snapshot import Shape, Snapshot, Step

PLAN = Snapshot(
    state="running",
    started_at=10.0,
    steps=(
        Step(
            job="12",
            kind="task",
            state="finished",
            name="package",
            node_states={"finished": 2},
            nodes=2,
        ),
    ),  # fmt: skip
    seen_without_id=("abc",),
    result={"ok": True},
    shape=Shape(path="/plan_jobs/3", reason="no state", since=20.0),
)


@pytest.mark.parametrize(
    "snapshot",
    [
        Snapshot(),
        Snapshot(
            state="running",
            node_count=3,
            counts={"finished": 1, "running": 1},
            running=("b",),
            resources={"changed": 3},
            changed_nodes=1,
            quiet_polls=2,
        ),  # fmt: skip
        PLAN,
    ],
)
def test_a_snapshot_reads_back_what_it_wrote(snapshot: Snapshot) -> None:
    assert Snapshot.from_json(snapshot.to_json()) == snapshot


def test_a_snapshot_saved_by_an_older_version_loads() -> None:
    # As the poller saved them before the snapshot was typed: plain dicts, keys as they came.
    saved: dict[str, Any] = {
        "state": "success", "started_at": 5, "steps": [
            {"job": 12, "kind": "task", "state": "finished", "name": "package",
             "node_states": {"finished": 2}, "nodes": 2},
            {"job": "13", "kind": "plan"},
        ],
        "seen_without_id": ["d1"], "result": [1, 2], "quiet_polls": 0,
        "shape": {"path": None, "reason": "odd", "since": 7},
    }  # fmt: skip
    snapshot = Snapshot.from_json(saved)
    assert snapshot.state == "success" and snapshot.done and snapshot.started_at == 5.0
    assert snapshot.steps[0] == Step("12", "task", "finished", "package", {"finished": 2}, 2)
    assert snapshot.steps[1] == Step("13", "plan")
    assert snapshot.result == [1, 2] and snapshot.shape == Shape(None, "odd", 7.0)
    assert snapshot.node_count is None  # never read: the poller asks for it


@pytest.mark.parametrize(
    "saved",
    [None, [], "x", {}, {"state": None, "counts": [1], "running": "ab", "node_count": "many",
                        "steps": [None, {"kind": "task"}], "shape": "odd", "duration": True}],
)  # fmt: skip
def test_a_damaged_snapshot_loads_as_far_as_it_can(saved: Any) -> None:
    snapshot = Snapshot.from_json(saved)
    assert snapshot.state == "new" and snapshot.node_count is None and snapshot.steps == ()
    assert snapshot.counts == {} and snapshot.shape is None and snapshot.duration is None


def test_what_a_card_does_not_show_is_not_a_change_worth_an_edit() -> None:
    quiet = Snapshot(state="running", running=("a",), quiet_polls=4)
    assert quiet.visible() == Snapshot(state="running").visible()
    assert quiet.visible() != Snapshot(state="stopping").visible()
