"""Folding events into a snapshot: counts, running nodes, resources, failures, the end."""

from __future__ import annotations

from typing import Any

from model.failures import NodeFailure
from model.snapshot import Snapshot
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
        Snapshot(node_count=2),
        [
            ev(1, "node_running", "a"),
            ev(2, "node_running", "b"),
            ev(3, "node_finished", "a", PUPPET, "Finished puppet run on a - Success! "),
        ],
    )
    snap = progress.snapshot
    assert snap.counts == {"finished": 1, "running": 1}
    assert snap.running == ("b",)
    assert snap.resources["changed"] == 3
    assert [o.changes for o in progress.outcomes] == [3]
    assert not progress.failures and not progress.finished


def test_failed_and_errored_nodes_are_failures_with_their_message() -> None:
    progress = apply_job_events(
        Snapshot(node_count=2),
        [
            ev(1, "node_errored", "db03", msg="db03 is not connected to the PCP broker"),
            ev(2, "node_running", "web07"),
            ev(3, "node_failed", "web07", msg="boom"),
        ],
    )
    assert [f.node for f in progress.failures] == ["db03", "web07"]
    assert progress.failures[0].message == "db03 is not connected to the PCP broker"
    assert settled(progress.snapshot)


def test_job_stopping_and_job_finished_are_seen() -> None:
    progress = apply_job_events(
        Snapshot(node_count=1, state="running"), [ev(5, "job_stopping"), ev(6, "job_finished")]
    )
    assert progress.stopping and progress.finished
    assert progress.snapshot.state == "stopping"


def test_on_a_noop_run_out_of_sync_resources_are_what_would_change() -> None:
    noop = {"status": "unchanged", "noop": {"noop": True}, "metrics": {"out_of_sync": 2}}
    progress = apply_job_events(Snapshot(), [ev(1, "node_finished", "a", noop)])
    assert progress.outcomes[0].changes == 2
    assert progress.snapshot.changed_nodes == 1


def test_a_noop_job_counts_out_of_sync_when_the_run_does_not_say() -> None:
    quiet = {"status": "unchanged", "metrics": {"changed": 0, "out_of_sync": 2}}
    progress = apply_job_events(Snapshot(), [ev(1, "node_finished", "a", quiet)], noop=True)
    assert progress.outcomes[0].changes == 2


def test_on_an_enforcing_run_only_changed_resources_are_changes() -> None:
    # PE 2016 shape (orchestrator_client-ruby jobs_spec): unchanged, out_of_sync 3, changed 0.
    unchanged = {"status": "unchanged", "noop": False, "metrics": {"changed": 0, "out_of_sync": 3}}
    failed = {"status": "failed", "noop": False, "metrics": {"failed": 2, "out_of_sync": 2}}
    progress = apply_job_events(
        Snapshot(), [ev(1, "node_finished", "a", unchanged), ev(2, "node_failed", "b", failed)]
    )
    assert [o.changes for o in progress.outcomes] == [0, 0]
    assert progress.snapshot.changed_nodes == 0
    assert progress.snapshot.resources["failed"] == 2


def test_task_results_are_kept_and_report_url_dropped() -> None:
    detail = {"status": "installed", "report-url": "https://x"}
    progress = apply_job_events(Snapshot(), [ev(1, "node_finished", "a", detail)])
    assert progress.outcomes[0].result == {"status": "installed"}
    assert progress.outcomes[0].resources is None


def test_not_settled_while_nodes_are_pending() -> None:
    progress = apply_job_events(Snapshot(node_count=3), [ev(1, "node_finished", "a")])
    assert not settled(progress.snapshot)


def pev(id: int, type: str, **details: Any) -> PlanEvent:
    return PlanEvent.parse({"id": id, "type": type, "details": details})


def test_a_finished_task_node_whose_result_holds_an_error_failed() -> None:
    error = {"_error": {"kind": "puppetlabs.tasks/task-error", "msg": "exit 3", "details": {}}}
    progress = apply_job_events(Snapshot(node_count=2), [ev(1, "node_finished", "a", error)])
    assert progress.outcomes[0].state == "failed"
    assert progress.failures == (NodeFailure("a", "failed", "exit 3"),)
    assert progress.snapshot.counts["failed"] == 1
    assert not progress.snapshot.counts.get("finished")


def test_plan_steps_output_and_end() -> None:
    progress = apply_plan_events(
        Snapshot(),
        [
            pev(1, "task_start", **{"job-id": 12}),
            pev(2, "out_message", message="hello"),
            pev(3, "task_start", **{"job-id": "13"}),
            pev(4, "plan_finished", **{"plan-id": 7, "result": {"ok": True}}),
        ],
    )
    assert progress.new_steps == ("12", "13")
    assert [m.text for m in progress.messages] == ["hello"]
    assert progress.finished
    assert progress.snapshot.state == "success"
    assert progress.snapshot.result == {"ok": True}


def test_a_step_seen_again_is_not_new() -> None:
    first = apply_plan_events(Snapshot(), [pev(1, "task_start", **{"job-id": 12})])
    again = apply_plan_events(first.snapshot, [pev(1, "task_start", **{"job-id": 12})])
    assert again.new_steps == ()
