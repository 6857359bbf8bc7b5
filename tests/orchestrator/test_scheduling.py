"""The client's scheduled-jobs methods against the simulator, and the scheduled request shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from orchestrator import errors as oe
from orchestrator.client import OrchestratorClient
from orchestrator.requests import (
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    Scope,
    TaskRequest,
)
from orchestrator.schedules import schedule_request, schedule_spec
from standins.orchestrator import Simulator, default_world, serve, world_from_dict
from tests.orchestrator.conftest import client_for
from tests.support.harness import Clock

WEB01 = Scope.nodes(["web01.example.com"])
MARK = {"chatops_request": "R-1"}


def at(clock: Clock, seconds: float) -> datetime:
    return datetime.fromtimestamp(clock() + seconds, UTC)


def deploy_later(client: OrchestratorClient, clock: Clock, **kw) -> str:
    request = DeployRequest(environment="production", scope=WEB01, noop=True, userdata=MARK)
    return client.schedule(schedule_request(request, start=at(clock, 60), **kw)).name


def test_create_read_list_and_fire(client: OrchestratorClient, clock: Clock) -> None:
    name = deploy_later(client, clock, interval=3600, description="hourly noop")
    job = client.scheduled_job(name)
    assert (job.type, job.environment, job.enabled, job.repeats) == (
        "deploy",
        "production",
        True,
        True,
    )
    assert job.owner == "admin" and job.description == "hourly noop" and job.userdata == MARK
    assert job.interval == 3600 and job.next_run == at(clock, 60).replace(microsecond=0)
    assert job.last_run is None and job.id.endswith(f"/scheduled_jobs/environment_jobs/{name}")
    assert job.input == {"scope": {"nodes": ["web01.example.com"]}, "noop": True}
    clock.advance(61)
    ran = client.scheduled_job(name).last_run
    assert ran is not None and ran.submitted and not ran.plan_job
    started = client.job(ran.job)
    assert (
        started.type == "deploy"
        and started.owner == "admin"
        and started.environment == "production"
    )
    page = client.scheduled_jobs(limit=10)
    assert page.total == 1 and [s.name for s in page.items] == [name]


def test_the_scheduled_run_is_the_run_now_request(client: OrchestratorClient, clock: Clock) -> None:
    """What a schedule starts equals what the same request run now starts (options compared)."""
    task = TaskRequest(
        environment="production",
        task="package",
        params={"action": "status", "name": "openssl"},
        scope=WEB01,
        noop=True,
        description="check openssl",
    )
    plan = PlanRunRequest(
        plan_name="canary", params={"nodes": "web01.example.com", "command": "id"}
    )
    env_plan = EnvironmentPlanRunRequest(
        plan_name="canary",
        params={"nodes": {"value": "web01.example.com"}, "command": {"value": "id"}},
        environment="development",
    )
    now_task = client.job(client.task(task).name)
    now_plan = client.plan_job(client.plan_run(plan).name)
    names = [
        client.schedule(schedule_request(r, start=at(clock, 30))).name
        for r in (task, plan, env_plan)
    ]
    clock.advance(31)
    runs = [client.scheduled_job(n).last_run for n in names]
    assert all(r is not None and r.submitted for r in runs)
    later_task = client.job(runs[0].job)
    assert later_task.scheduled_job_id == names[0] and now_task.scheduled_job_id is None
    same = {k: v for k, v in later_task.options.items() if k != "scheduled-job-id"}
    assert same == {k: v for k, v in now_task.options.items() if k != "scheduled-job-id"}
    later_plan = client.plan_job(runs[1].job)
    assert runs[1].plan_job and later_plan.scheduled_job_id == names[1]
    assert later_plan.parameters == now_plan.parameters and later_plan.plan_name == "canary"
    assert client.plan_job(runs[2].job).environment == "development"


def test_request_shapes_follow_the_documented_input() -> None:
    start = datetime(2027, 5, 5, 21, 50, 8, tzinfo=UTC)
    deploy = schedule_request(
        DeployRequest(environment="", scope=WEB01, enforce_environment=False, description="d"),
        start=start,
        interval=86400,
        userdata=MARK,
    )
    assert deploy.body() == {
        "type": "deploy",
        "input": {"scope": {"nodes": ["web01.example.com"]}, "enforce_environment": False},
        "environment": "",
        "schedule": {"start_time": "2027-05-05T21:50:08Z",
                     "interval": {"value": 86400, "units": "seconds"}},
        "description": "d",
        "userdata": MARK,
    }  # fmt: skip
    plan = schedule_request(PlanRunRequest(plan_name="canary", params={"n": 1}), start=start)
    assert plan.body()["input"] == {"name": "canary", "parameters": {"n": {"value": 1}}}
    assert (
        plan.body()["environment"] == "production" and plan.body()["schedule"]["interval"] is None
    )
    with pytest.raises(ValueError, match="timeout"):
        schedule_request(TaskRequest("production", "facts", {}, WEB01, timeout=60), start=start)
    with pytest.raises(ValueError, match="aware"):
        schedule_spec(datetime(2027, 5, 5), None)
    with pytest.raises(ValueError, match="positive"):
        schedule_spec(start, 0)
    offset = datetime(
        2027, 5, 5, 23, 50, 8, tzinfo=__import__("datetime").timezone(timedelta(hours=2))
    )
    assert schedule_spec(offset)["start_time"] == "2027-05-05T21:50:08Z"


def test_past_time_is_invalid_time(client: OrchestratorClient, clock: Clock) -> None:
    request = DeployRequest(environment="production", scope=WEB01)
    with pytest.raises(oe.InvalidTime) as caught:
        client.schedule(schedule_request(request, start=at(clock, -5)))
    assert caught.value.status == 400 and caught.value.short_kind == "invalid-time"


def test_disable_is_the_delete_and_cannot_be_undone(
    client: OrchestratorClient, clock: Clock
) -> None:
    name = deploy_later(client, clock, interval=600)
    ref = client.update_scheduled_job(name, description="renamed", userdata={**MARK, "x": 1})
    assert ref.name == name and client.scheduled_job(name).description == "renamed"
    assert client.delete_scheduled_job(name) is True
    assert client.disable_scheduled_job(name) is False  # already: nothing to do
    gone = client.scheduled_job(name)
    assert not gone.enabled and not gone.active and gone.next_run is None
    with pytest.raises(oe.DisabledScheduledJob):
        client.enable_scheduled_job(name)
    clock.advance(3600)
    assert client.jobs().items == ()  # it never ran
    with pytest.raises(ValueError):
        client.update_scheduled_job(name)


def test_reschedule_through_update(client: OrchestratorClient, clock: Clock) -> None:
    name = deploy_later(client, clock)
    client.update_scheduled_job(name, schedule=schedule_spec(at(clock, 7200), 3600))
    job = client.scheduled_job(name)
    assert job.interval == 3600 and job.start_time == at(clock, 7200).replace(microsecond=0)
    with pytest.raises(oe.InvalidTime):
        client.update_scheduled_job(name, schedule=schedule_spec(at(clock, -1)))


def test_unknown_scheduled_job_is_named(client: OrchestratorClient) -> None:
    with pytest.raises(oe.UnknownScheduledJob):
        client.scheduled_job("999")
    with pytest.raises(oe.UnknownScheduledJob):
        client.disable_scheduled_job("999")
    with pytest.raises(oe.UnknownEnvironment):  # a 404 with a documented kind stays what it is
        client.schedule(
            schedule_request(
                DeployRequest(environment="nope"), start=datetime(2099, 1, 1, tzinfo=UTC)
            )
        )


@pytest.mark.parametrize("non_json", [False, True])
def test_old_pe_says_scheduling_needs_2021_7(clock: Clock, non_json: bool) -> None:
    sim = Simulator(world_from_dict({"settings": {"pe_version": "2021.5"}}), clock=clock)
    sim.set_faults(non_json_errors=non_json)  # some servers answer an unknown route in HTML
    client = client_for(sim)
    calls = [
        lambda: client.schedule(
            schedule_request(DeployRequest(environment="production"), start=at(clock, 60))
        ),
        lambda: client.scheduled_jobs(),
        lambda: client.all_scheduled_jobs(),
        lambda: client.scheduled_job("1"),
        lambda: client.disable_scheduled_job("1"),
    ]
    for call in calls:
        with pytest.raises(oe.SchedulingUnsupported) as caught:
            call()
        assert "PE 2021.7 or later" in caught.value.msg and caught.value.status == 404
        assert isinstance(caught.value, oe.Rejected)  # explained like any refusal


def test_submission_error_is_read(sim: Simulator, client: OrchestratorClient, clock: Clock) -> None:
    request = DeployRequest(environment="production", scope=Scope.query("nodes[certname] { }"))
    name = client.schedule(schedule_request(request, start=at(clock, 10))).name
    sim.set_faults(puppetdb_unreachable=True)
    clock.advance(11)
    last = client.scheduled_job(name).last_run
    assert last is not None and not last.submitted and last.job is None
    assert last.error is not None and last.error.short_kind == "puppetdb-error" and last.error.msg


def test_all_scheduled_jobs_pages(client: OrchestratorClient, clock: Clock) -> None:
    names = [deploy_later(client, clock) for _ in range(7)]
    assert [s.name for s in client.all_scheduled_jobs(page=3)] == names
    assert client.all_scheduled_jobs(type="plan") == []


# -- recent jobs with the filters /jobs needs ---------------------------------------------------


def test_recent_jobs_filter_by_environment_owner_and_state(clock: Clock) -> None:
    from orchestrator.listing import JobFilter

    sim = Simulator(default_world(), clock=clock, node_seconds=5.0)
    with serve(sim, port=0) as running:
        client = OrchestratorClient(httpx.Client(), running.url, "demo-token")
        alice = OrchestratorClient(httpx.Client(), f"{running.url}/_sim/as/alice", "unused")
        mine = client.deploy(DeployRequest(environment="production", scope=WEB01)).name
        clock.advance(60)  # finished
        dev = alice.deploy(
            DeployRequest(environment="development", scope=Scope.nodes(["web09.example.com"]))
        ).name
        task = alice.task(TaskRequest("production", "facts", {}, WEB01)).name
        alice_plan = alice.plan_run(
            PlanRunRequest(
                plan_name="canary", params={"nodes": "web02.example.com", "command": "id"}
            )
        ).name
        clock.advance(1)

        def names(where: JobFilter, **kw) -> list[str]:
            return [j.name for j in client.recent_jobs(where, **kw)]

        assert names(JobFilter()) == [task, dev, mine]  # newest state change first, no plan_task
        assert names(JobFilter(environment="development")) == [dev]
        assert names(JobFilter(owner="alice")) == [task, dev]
        assert names(JobFilter(running=True)) == [task, dev]
        assert names(JobFilter(types=frozenset({"task"}))) == [task]
        assert names(JobFilter(), limit=1) == [task]
        assert names(JobFilter(), page=1) == [task, dev, mine]
        assert names(JobFilter(types=frozenset({"plan_task"}))) != []  # the plan's child
        plans = client.recent_plan_jobs(JobFilter(owner="alice", running=True))
        assert [p.name for p in plans] == [alice_plan]
        assert client.recent_plan_jobs(JobFilter(owner="admin")) == []
        client.close()
        alice.close()


def test_an_older_route_answering_405_is_unsupported_too() -> None:
    """PE 2019-2021.6 had DELETE /scheduled_jobs/<id>; a method its router refuses is no help."""
    transport = httpx.MockTransport(lambda request: httpx.Response(405, text="Method Not Allowed"))
    client = OrchestratorClient(httpx.Client(transport=transport), "https://pe:8143", "t")
    with pytest.raises(oe.SchedulingUnsupported) as caught:
        client.scheduled_job("3")
    assert caught.value.status == 405


def test_pe_2016_deploys_have_no_type_and_are_still_listed(clock: Clock) -> None:
    from orchestrator.listing import JobFilter

    sim = Simulator(world_from_dict({"settings": {"pe_version": "2016.4"}}), clock=clock)
    client = client_for(sim)
    name = client.deploy(DeployRequest(environment="production", scope=WEB01)).name
    assert client.job(name).type == ""  # PE 2016 job records name no type
    assert [j.name for j in client.recent_jobs(JobFilter())] == [name]
    assert client.recent_jobs(JobFilter(types=frozenset({"task"}))) == []
