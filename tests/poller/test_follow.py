"""Folding events into a snapshot: counts, running nodes, resources, failures, the end."""

from __future__ import annotations

from typing import Any

from orchestrator.models import Event, PlanEvent
from poller.follow import apply_job_events, apply_plan_events, settled


def ev(id: int, type: str, node: str | None = None, detail: Any = None, msg: str = "") -> Event:
    return Event.parse(
        {
            "id": str(id),
            "type": type,
            "timestamp": "2026-11-23T10:00:00Z",
            "details": {"node": node, "detail": detail or {}},
            "message": msg,
        }
    )


PUPPET = {"status": "changed", "metrics": {"changed": 3, "out_of_sync": 3, "total": 40}}


def test_running_then_finished_moves_the_node_and_sums_resources() -> None:
    progress = apply_job_events(
        {"node_count": 2},
        [
            ev(1, "node_running", "a"),
            ev(2, "node_running", "b"),
            ev(3, "node_finished", "a", PUPPET, "Finished puppet run on a - Success! "),
        ],
    )
    snap = progress.snapshot
    assert snap["counts"] == {"finished": 1, "running": 1}
    assert snap["running"] == ["b"]
    assert snap["resources"]["changed"] == 3
    assert [o.changes for o in progress.outcomes] == [3]
    assert not progress.failures and not progress.finished


def test_failed_and_errored_nodes_are_failures_with_their_message() -> None:
    progress = apply_job_events(
        {"node_count": 2},
        [
            ev(1, "node_errored", "db03", msg="db03 is not connected to the PCP broker"),
            ev(2, "node_running", "web07"),
            ev(3, "node_failed", "web07", msg="boom"),
        ],
    )
    assert [f["node"] for f in progress.failures] == ["db03", "web07"]
    assert progress.failures[0]["message"] == "db03 is not connected to the PCP broker"
    assert settled(progress.snapshot)


def test_job_stopping_and_job_finished_are_seen() -> None:
    progress = apply_job_events(
        {"node_count": 1, "state": "running"}, [ev(5, "job_stopping"), ev(6, "job_finished")]
    )
    assert progress.stopping and progress.finished
    assert progress.snapshot["state"] == "stopping"


def test_noop_changes_count_as_changes() -> None:
    noop = {"status": "unchanged", "metrics": {"changed": 0, "out_of_sync": 2}}
    progress = apply_job_events({}, [ev(1, "node_finished", "a", noop)])
    assert progress.outcomes[0].changes == 2
    assert progress.snapshot["changed_nodes"] == 1


def test_task_results_are_kept_and_report_url_dropped() -> None:
    detail = {"status": "installed", "report-url": "https://x"}
    progress = apply_job_events({}, [ev(1, "node_finished", "a", detail)])
    assert progress.outcomes[0].result == {"status": "installed"}
    assert progress.outcomes[0].resources is None


def test_not_settled_while_nodes_are_pending() -> None:
    progress = apply_job_events({"node_count": 3}, [ev(1, "node_finished", "a")])
    assert not settled(progress.snapshot)


def pev(id: int, type: str, **details: Any) -> PlanEvent:
    return PlanEvent.parse({"id": id, "type": type, "details": details})


def test_plan_steps_output_and_end() -> None:
    progress = apply_plan_events(
        {},
        [
            pev(1, "task_start", **{"job-id": 12}),
            pev(2, "out_message", message="hello"),
            pev(3, "task_start", **{"job-id": "13"}),
            pev(4, "plan_finished", **{"plan-id": 7, "result": {"ok": True}}),
        ],
    )
    assert progress.new_steps == ("12", "13")
    assert progress.messages == ("hello",)
    assert progress.finished
    assert progress.snapshot["state"] == "success"
    assert progress.snapshot["result"] == {"ok": True}


def test_a_step_seen_again_is_not_new() -> None:
    first = apply_plan_events({}, [pev(1, "task_start", **{"job-id": 12})])
    again = apply_plan_events(first.snapshot, [pev(1, "task_start", **{"job-id": 12})])
    assert again.new_steps == ()
