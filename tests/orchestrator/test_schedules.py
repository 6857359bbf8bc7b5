"""Scheduled-job bodies as real PE documents them, read by the client's models.

Bodies: ../shared/reference/pe-bodies/pe-2021.7.1/scheduled-environment-job[s].json (the 2021.7.1
docs' examples), plan-jobs.json and go-pe-client's job capture (the ids a scheduled run carries).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from orchestrator import errors as oe
from orchestrator.client import OrchestratorClient
from orchestrator.schedules import ScheduledJob
from tests.support.pe_bodies import body, needs_bodies, patched

D21 = "pe-2021.7.1/"


def answering(data: Any, status: int = 200) -> OrchestratorClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=data))
    return OrchestratorClient(httpx.Client(transport=transport), "https://pe:8143", "t")


@needs_bodies
def test_the_documented_list_parses_with_its_failed_run() -> None:
    page = answering(body(D21 + "scheduled-environment-jobs.json")).scheduled_jobs()
    assert (page.total, page.limit, page.offset) == (2, 50, 0)
    ran, failed = page.items
    assert ran.name == "2" and ran.type == "plan" and ran.enabled  # no `enabled` key: it runs
    assert ran.interval == 3600 and ran.owner == "fred" and ran.userdata == {"ticket": "TICKET-123"}
    assert ran.target_name == "plan_testing_env::example_plan"
    assert ran.next_run == datetime(2021, 12, 12, 19, 50, 8, tzinfo=UTC)
    assert ran.last_run is not None and ran.last_run.job == "42" and ran.last_run.plan_job
    assert failed.interval is None and failed.last_run is not None
    assert not failed.last_run.submitted and failed.last_run.job is None
    assert failed.last_run.error is not None
    assert failed.last_run.error.short_kind == "unknown-environment"
    assert failed.last_run.error.details == {"environment": "doesnotexist"}


@needs_bodies
def test_the_single_job_example_swaps_id_and_name() -> None:
    data = body(D21 + "scheduled-environment-job.json")
    assert data["id"] == "2" and data["name"].endswith("/environment_jobs/2")  # as printed
    job = answering(data).scheduled_job("2")
    assert job.name == "2" and job.id.endswith("/scheduled_jobs/environment_jobs/2")
    assert job.start_time == datetime(2018, 10, 5, 19, 50, 8, tzinfo=UTC)


@needs_bodies
def test_scheduled_runs_carry_their_schedule() -> None:
    task = answering(body("go-pe-client/job-response.json")).job("1")
    assert task.scheduled_job_id == "123"
    unscheduled = answering(body(D21 + "jobs.json")).jobs().items
    assert [j.scheduled_job_id for j in unscheduled] == [None, None]  # deploy: none; null
    plans = answering(body(D21 + "plan-jobs.json")).plan_jobs()
    assert [p.scheduled_job_id for p in plans] == ["116", None]


def item(**changes: Any) -> dict[str, Any]:
    base = {
        "id": "https://pe:8143/orchestrator/v1/scheduled_jobs/environment_jobs/7",
        "name": "7",
        "type": "task",
        "schedule": {"start_time": "2030-01-01T00:00:00Z", "interval": None},
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


@pytest.mark.parametrize(
    "changes, expect",
    [
        ({"name": 7}, ("name", "7")),
        ({"name": None}, ("name", "7")),  # from the id URL
        ({"enabled": "false"}, ("enabled", False)),
        ({"schedule": {"start_time": "2030-01-01T00:00:00Z",
                       "interval": {"value": "600", "units": "seconds"}}}, ("interval", 600)),
        ({"schedule": {"start_time": "2030-01-01T00:00:00Z",
                       "interval": {"value": 600}}}, ("interval", 600)),  # units left out
        ({"schedule": None, "start_time": "2030-01-01T00:00:00Z"},
         ("start_time", datetime(2030, 1, 1, tzinfo=UTC))),  # the docs' top-level start_time
        ({"next_run": "2030-01-02T00:00:00Z"}, ("next_run", datetime(2030, 1, 2, tzinfo=UTC))),
        ({"owner": {"id": "x"}}, ("owner", None)),
        ({"last_run": {"time": "2030-01-01T00:00:00Z",
                       "job": {"id": "https://pe/orchestrator/v1/jobs/12", "name": "12"}}},
         ("last_run.job", "12")),
    ],
)  # fmt: skip
def test_lenient_reading(changes: dict[str, Any], expect: tuple[str, Any]) -> None:
    job = ScheduledJob.parse(item(**changes))
    field, value = expect
    got: Any = job
    for part in field.split("."):
        got = getattr(got, part)
    assert got == value


@pytest.mark.parametrize(
    "changes",
    [
        {"name": None, "id": None},
        {"type": None},
        {"schedule": {"start_time": "2030-01-01T00:00:00Z",
                      "interval": {"value": 2, "units": "hours"}}},  # a unit PE never documents
    ],
)  # fmt: skip
def test_what_the_bot_cannot_do_without_is_a_named_error(changes: dict[str, Any]) -> None:
    with pytest.raises(oe.UnexpectedShape):
        answering(item(**changes)).scheduled_job("7")


def test_a_created_answer_without_a_number_is_a_named_error() -> None:
    from orchestrator.requests import ScheduleRequest

    request = ScheduleRequest(type="deploy", input={}, environment="production", schedule={})
    ok = answering({"scheduled_job": {"id": "https://pe/x/scheduled_jobs/environment_jobs/3"}})
    assert ok.schedule(request).name == "3"
    with pytest.raises(oe.UnexpectedShape):
        answering({"scheduled_job": {"id": "?"}}).schedule(request)
    with pytest.raises(oe.UnexpectedShape):
        answering(patched({"job": {}}, job=None)).schedule(request)
