"""Every real PE body (../shared/reference/pe-bodies) through the client and its models.

The client is handed an httpx transport that answers with the recorded body, so each goes
through the same decoding and parsing as a live answer would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from orchestrator import errors as oe
from orchestrator.client import OrchestratorClient
from orchestrator.lenient import timestamp
from orchestrator.models import Job, Node, PlanEvent
from tests.support.pe_bodies import body, needs_bodies, patched

pytestmark = needs_bodies
D21 = "pe-2021.7.1/"
JENKINS = "jenkins-pe-plugin/"


def answering(data: Any, status: int = 200) -> OrchestratorClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=data))
    return OrchestratorClient(httpx.Client(transport=transport), "https://pe:8143", "t")


JOB_BODIES = [
    D21 + "job.json",
    "go-pe-client/job-response.json",
    JENKINS + "2016.2_orchestrator_v1_jobs_711_job_details.json",
    JENKINS + "2016.4_orchestrator_v1_jobs_711_job_details.json",
    JENKINS + "2016.4_orchestrator_v1_jobs_711_job_node_does_not_exist.json",
]


@pytest.mark.parametrize("path", JOB_BODIES)
def test_every_real_job_body_parses(path: str) -> None:
    job = answering(body(path)).job("1")
    assert job.name.isdigit() and job.done
    assert job.environment == "production" and job.node_count >= 1


def test_pe_2016_job_items_have_no_type_userdata_or_timestamps() -> None:
    job = answering(body(JENKINS + "2016.4_orchestrator_v1_jobs_711_job_details.json")).job("711")
    assert job.type == "" and job.userdata is None  # none sent: not the same as {}
    assert job.started is None and job.duration is None and job.node_states == {}
    assert job.node_count == 11 and job.owner == "casey"


@pytest.mark.parametrize(
    "path, total",
    [
        (D21 + "jobs.json", 2),
        ("go-pe-client/jobs-response.json", 28),
        ("orchestrator_client-ruby/jobs_spec-0.json", None),  # PE 2016: no pagination
    ],
)
def test_job_lists_parse_with_or_without_pagination(path: str, total: int | None) -> None:
    listing = answering(body(path)).jobs()
    assert listing.total == total and listing.items
    assert all(isinstance(j, Job) for j in listing.items)


def test_a_plan_task_child_job_has_an_empty_environment_and_no_userdata_marker() -> None:
    child = answering(body(D21 + "jobs.json")).jobs().items[1]
    assert child.type == "plan_task" and child.environment == ""
    assert child.userdata == {} and child.options["plan_job"] == 197


@pytest.mark.parametrize(
    "path, first",
    [
        (D21 + "job-events.json", 1272),
        ("orchestrator_client-ruby/jobs_spec-2.json", 6),
        ("orchestrator_client-ruby/jobs_spec-3.json", 1),
    ],
)
def test_job_events_pages_and_the_cursor_from_their_ids(path: str, first: int) -> None:
    page = answering(body(path)).job_events("1", first)
    assert page.items[0].id == first
    # next-events.id is never followed: the cursor is the highest id + 1.
    assert page.next_start == max(e.id for e in page.items) + 1


@pytest.mark.parametrize(
    "path",
    [
        D21 + "job-nodes.json",
        "go-pe-client/jobs-nodes-response.json",
        JENKINS + "2016.2_orchestrator_v1_jobs_711_nodes_job_node_results.json",
        JENKINS + "2016.4_orchestrator_v1_jobs_711_nodes_job_node_results.json",
        JENKINS + "2016.4_orchestrator_v1_jobs_711_nodes_nodes_does_not_exist.json",
    ],
)
def test_node_lists_parse(path: str) -> None:
    nodes = answering(body(path)).job_nodes("1").items
    assert nodes and all(isinstance(n, Node) and n.name for n in nodes)


def test_pe_2016_node_metrics_are_read_from_details() -> None:
    path = JENKINS + "2016.4_orchestrator_v1_jobs_711_nodes_job_node_results.json"
    node = answering(body(path)).job_nodes("711").items[0]
    assert node.result is None and node.metrics is not None and node.metrics["total"] == 208
    assert node.report_url and node.message.startswith("Finished puppet run")


@pytest.mark.parametrize("case", ["finished_ok", "finished_with_error_hash", "skipped"])
def test_bolts_node_results_parse(case: str) -> None:
    node = Node.parse(body("bolt/node-results-from-spec.json")[case])
    assert node.name == "target1"


def test_plan_events_without_id_and_with_a_numeric_job_id() -> None:
    d19 = "docs-2019.5-json/"
    page = body(d19 + "plan-events-page.json")
    page["items"].insert(2, body(d19 + "plan-event-out_message-no-id.json"))
    page["items"].insert(3, body(d19 + "plan-event-plan_end-no-id.json"))
    parsed = answering(page).plan_job_events("9", 76)
    assert [e.type for e in parsed.items] == [
        "plan_start",
        "task_start",
        "out_message",
        "plan_end",
        "plan_finished",
    ]
    assert parsed.items[1].child_job == "69"
    assert [e.id for e in parsed.items] == [76, 80, None, None, 81]
    assert parsed.next_start == 82


def test_plan_jobs_and_the_whole_event() -> None:
    assert answering(body(D21 + "plan-job.json")).plan_job("1234").children.keys() == {"1", "2"}
    listed = answering(body(D21 + "plan-jobs.json")).plan_jobs()
    assert [p.state for p in listed] == ["success", "running"]
    event = answering(body(D21 + "plan-job-event.json")).plan_job_event("352", 1265)
    assert isinstance(event, PlanEvent) and event.details["message"]


@pytest.mark.parametrize(
    "path",
    [D21 + "inventory.json", D21 + "inventory-post-response.json", "go-pe-client/"
     "inventory-check-response.json"],
)  # fmt: skip
def test_inventory_bodies_say_which_nodes_are_connected(path: str) -> None:
    nodes = answering(body(path)).inventory()
    assert any(n.connected for n in nodes)
    assert all(n.broker is None for n in nodes if not n.connected)


@pytest.mark.parametrize(
    "path, call",
    [
        (D21 + "command-deploy-response.json", "deploy"),
        ("orchestrator_client-ruby/command_spec-0.json", "deploy"),
        (JENKINS + "2016.4_orchestrator_v1_command_deploy_job_deploy.json", "deploy"),
        (D21 + "command-plan_run-response.json", "plan_run"),
        (D21 + "command-stop-response.json", "stop"),
        ("orchestrator_client-ruby/command_spec-2.json", "stop"),
    ],
)
def test_command_answers_parse(path: str, call: str) -> None:
    from orchestrator.requests import DeployRequest, PlanRunRequest, Scope

    client = answering(body(path), 202)
    if call == "deploy":
        ref = client.deploy(DeployRequest(environment="production", scope=Scope.nodes(["a"])))
    elif call == "plan_run":
        ref = client.plan_run(PlanRunRequest(plan_name="x"))
    else:
        ref = client.stop("1").job
    assert ref.name.isdigit()


@pytest.mark.parametrize(
    "path, kind",
    [
        (D21 + "error-unknown-environment.json", oe.UnknownEnvironment),
        (JENKINS + "2016.4_orchestrator_v1_command_deploy_expired_token.json",
         oe.AuthenticationFailed),
        (JENKINS + "2016.4_orchestrator_v1_command_deploy_job_failure_no_nodes_defined.json",
         oe.EmptyTarget),
        (JENKINS + "2016.4_orchestrator_v1_command_deploy_job_failure_empty_query.json",
         oe.QueryError),
    ],
)  # fmt: skip
def test_real_error_bodies_map_to_their_exception(path: str, kind: type) -> None:
    with pytest.raises(kind):
        answering(body(path), 400).job("1")


def test_a_job_without_a_state_is_a_named_error_carrying_the_body() -> None:
    job = patched(body(D21 + "job.json"), state=None)
    with pytest.raises(oe.UnexpectedShape) as raised:
        answering(job).job("1234")
    assert raised.value.path == "/jobs/1234" and "has no 'state'" in raised.value.reason
    assert raised.value.body["name"] == "1234"


def test_an_event_page_without_items_is_a_named_error() -> None:
    page = patched(body(D21 + "job-events.json"), items=None)
    with pytest.raises(oe.UnexpectedShape, match="no 'items'"):
        answering(page).job_events("352", 1272)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2016-05-20T16:45:31Z", datetime(2016, 5, 20, 16, 45, 31, tzinfo=UTC)),
        ("2017-07-14T15:57:33.640Z", datetime(2017, 7, 14, 15, 57, 33, 640000, tzinfo=UTC)),
        ("2016-010-22T13:36:41.449Z", datetime(2016, 10, 22, 13, 36, 41, 449000, tzinfo=UTC)),
        ("2020-05-05T14:03:06.123456789Z", datetime(2020, 5, 5, 14, 3, 6, 123456, tzinfo=UTC)),
        (
            "2020-10-05T19:50:08+02:00",
            datetime(2020, 10, 5, 19, 50, 8, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("not a time", None),
        (None, None),
    ],
)
def test_timestamps_are_read_leniently(text: str | None, expected: datetime | None) -> None:
    # The typo is real: the 2021.7.1 docs' /inventory example says "2016-010-22".
    assert timestamp(text) == expected


def test_unknown_event_types_states_and_numbers_for_strings_are_carried_along() -> None:
    item = body(D21 + "job-events.json")["items"][0]
    odd = patched(item, id=1300, type="node_teleported", timestamp="2016-05-05T19:50:08+02:00")
    page = answering(patched(body(D21 + "job-events.json"), items=[item, odd])).job_events("1")
    assert [e.type for e in page.items] == ["node_running", "node_teleported"]
    assert page.next_start == 1301
    job = patched(body(D21 + "job.json"), name=1234, node_count="2", state="paused")
    parsed = answering(job).job("1234")
    assert parsed.name == "1234" and parsed.node_count == 2 and not parsed.done
