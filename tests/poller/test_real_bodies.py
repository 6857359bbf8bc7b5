"""Real PE bodies through the poller: folding events, settling nodes, observing jobs and plans."""

from __future__ import annotations

from typing import Any

import httpx

from model.snapshot import Snapshot
from orchestrator.client import OrchestratorClient
from orchestrator.models import Event, Node, PlanEvent
from poller.follow import accounted, apply_job_events, apply_plan_events, node_outcome
from poller.observe import observe_job, observe_plan
from store.jobs import JobRow
from tests.support.pe_bodies import body, needs_bodies, patched

pytestmark = needs_bodies
D21 = "pe-2021.7.1/"
D19 = "docs-2019.5-json/"


def routed(routes: dict[str, Any]) -> tuple[OrchestratorClient, list[str]]:
    """A client whose orchestrator answers `path` (below /orchestrator/v1) with its body."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/orchestrator/v1")
        asked.append(path)
        if path not in routes:
            return httpx.Response(404, json={"kind": "puppetlabs.orchestrator/unknown-job"})
        return httpx.Response(200, json=routes[path])

    http = httpx.Client(transport=httpx.MockTransport(answer))
    return OrchestratorClient(http, "https://pe:8143", "t"), asked


def row(name: str, command: str = "deploy", **changes: Any) -> JobRow:
    base: dict[str, Any] = {
        "id": f"job:{name}",
        "kind": "job",
        "name": name,
        "command": command,
        "request_id": None,
        "channel_id": "C1",
        "card_ts": None,
        "requester": "U1",
        "endpoint": command,
        "body": {"environment": "production"},
        "state": "new",
        "done": False,
        "cursor": 0,
        "snapshot": Snapshot(),
        "card_version": 1,
        "card_sent_version": 0,
        "card_sent_at": None,
        "created_at": 0.0,
        "next_poll_at": 0.0,
        "finished_at": None,
        "contact": "ok",
        "poll_errors": 0,
        "failures_pending": (),
        "last_failure_post_at": None,
        "failure_posts": 0,
    }
    base.update(changes)
    return JobRow(**base)


def test_item_3_an_unchanged_run_with_out_of_sync_resources_changed_nothing() -> None:
    page = body("orchestrator_client-ruby/jobs_spec-3.json")
    events = [Event.parse(e) for e in page["items"]]
    progress = apply_job_events(Snapshot(node_count=3), events)
    assert progress.snapshot.counts == {"finished": 3, "running": 0}
    assert progress.snapshot.changed_nodes == 0
    assert progress.snapshot.resources["out_of_sync"] == 3
    # The same run had it been a noop run: those 3 are what would change.
    noop = apply_job_events(Snapshot(node_count=3), events, noop=True)
    assert noop.snapshot.changed_nodes == 0  # the runs say "noop": false, which wins


def test_item_1_bolts_task_results_read_as_bolt_reads_them() -> None:
    bolt = body("bolt/node-results-from-spec.json")
    outcomes = {
        case: node_outcome(Node.parse(bolt[case]), noop=False)
        for case in ("finished_ok", "finished_with_error_hash", "finished_with_error_string")
    }
    assert outcomes["finished_ok"].state == "finished"
    assert outcomes["finished_ok"].result == {"key": "val"}
    assert outcomes["finished_with_error_hash"].state == "failed"
    assert outcomes["finished_with_error_hash"].message == "failed"
    assert outcomes["finished_with_error_string"].state == "failed"
    assert outcomes["finished_with_error_string"].message == "string error"
    assert node_outcome(Node.parse(bolt["skipped"]), noop=False).state == "skipped"


def test_item_2_pe_2016_node_records_carry_their_metrics_in_details() -> None:
    path = "jenkins-pe-plugin/2016.4_orchestrator_v1_jobs_711_nodes_job_node_results.json"
    nodes = [Node.parse(n) for n in body(path)["items"]]
    outcomes = [node_outcome(n, noop=False) for n in nodes]
    assert {o.state for o in outcomes} == {"finished"}
    assert all(o.resources and o.resources["total"] > 0 for o in outcomes)


def test_item_2_a_finished_job_is_settled_from_its_nodes_once() -> None:
    job = patched(body(D21 + "job.json"), name="5")
    client, asked = routed(
        {
            "/jobs/5": job,
            "/jobs/5/events": body(D21 + "job-events.json"),  # about another node
            "/jobs/5/nodes": body(D21 + "job-nodes.json"),
        }
    )
    seen = observe_job(client, row("5"))
    assert seen.final and seen.complete
    assert [n.name for n in seen.nodes] == ["node1.example.com"]
    assert asked.count("/jobs/5/nodes") == 1
    assert not accounted(seen.progress.snapshot, 2)


def test_item_2_events_that_account_for_every_node_need_no_node_list() -> None:
    job = patched(body(D21 + "job.json"), name="1", node_count=3)
    client, asked = routed(
        {"/jobs/1": job, "/jobs/1/events": body("orchestrator_client-ruby/jobs_spec-3.json")}
    )
    seen = observe_job(client, row("1"))
    assert seen.final and not seen.nodes and "/jobs/1/nodes" not in asked


def test_item_4_a_plan_page_with_id_less_events_folds_once() -> None:
    page = body(D19 + "plan-events-page.json")
    page["items"][2:2] = [
        body(D19 + "plan-event-out_message-no-id.json"),
        body(D19 + "plan-event-plan_end-no-id.json"),
    ]
    events = [PlanEvent.parse(e) for e in page["items"]]
    first = apply_plan_events(Snapshot(), events)
    assert first.new_steps == ("69",)
    assert [m.text for m in first.messages] == ["message sent from a plan"]
    assert first.finished and first.snapshot.state == "success"
    again = apply_plan_events(first.snapshot, [e for e in events if e.id is None])
    assert again.messages == ()  # PE sends id-less events again; they count once


def test_item_6_a_cut_out_message_is_read_whole() -> None:
    whole = "z" * 2000
    event = body(D21 + "plan-job-event.json")
    page = body(D21 + "plan-job-events.json")
    page["items"] = [patched(event, details={"message": whole[:1024]})]
    client, asked = routed(
        {
            "/plan_jobs/7/events": page,
            "/plan_jobs/7/event/1265": patched(event, details={"message": whole}),
            "/plan_jobs/7": body(D21 + "plan-job.json"),
        }
    )
    seen = observe_plan(client, row("7", kind="plan_job", command="plan", id="plan:7"))
    assert [(m.text, m.pe_cut) for m in seen.progress.messages] == [(whole, False)]
    assert asked.count("/plan_jobs/7/event/1265") == 1


def test_item_6_a_message_that_cannot_be_read_whole_is_marked_cut_by_pe() -> None:
    event = body(D21 + "plan-job-event.json")
    page = body(D21 + "plan-job-events.json")
    page["items"] = [patched(event, details={"message": "q" * 1024})]
    client, _ = routed({"/plan_jobs/7/events": page, "/plan_jobs/7": body(D21 + "plan-job.json")})
    seen = observe_plan(client, row("7", kind="plan_job", command="plan", id="plan:7"))
    assert [m.pe_cut for m in seen.progress.messages] == [True]
