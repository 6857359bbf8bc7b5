"""Every request example of the two reference documents, replayed through the client against
the simulator, with the documented responses; and every documented error kind, mapped."""

from __future__ import annotations

import pytest

from orchestrator import errors as oe
from orchestrator.models import CreatedRef, JobRef, PlanJobRef, StopResult
from orchestrator.requests import (
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    Scope,
    TaskRequest,
    TaskTargetRequest,
)
from standins.orchestrator import Simulator
from tests.orchestrator.conftest import client_for
from tests.support.harness import Clock

ALL_NODES = "00000000-0000-4000-8000-000000000000"

# -- command endpoints: the documented request bodies ---------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        DeployRequest(environment="production", scope=Scope.node_group(ALL_NODES)),
        DeployRequest(
            environment="production", scope=Scope.nodes(["node1.example.com", "node2.example.com"])
        ),
        DeployRequest(
            environment="",
            enforce_environment=False,
            noop=True,
            scope=Scope.nodes(["node1.example.com"]),
            userdata={"servicenow_ticket": "INC0011211"},
        ),
        DeployRequest(
            environment="production", scope=Scope.query(["from", "nodes", ["~", "certname", ".*"]])
        ),
    ],
)
def test_deploy_examples_create_a_job(client, request_: DeployRequest) -> None:
    ref = client.deploy(request_)
    assert isinstance(ref, JobRef) and ref.name.isdigit()
    assert ref.id.endswith(f"/orchestrator/v1/jobs/{ref.name}")
    job = client.job(ref.name)
    assert job.type == "deploy" and job.options["scope"] == request_.body()["scope"]


def test_task_example_runs_package_on_node1(client) -> None:
    ref = client.task(
        TaskRequest(
            environment="test-env-1",
            task="package",
            params={"action": "install", "name": "httpd"},
            scope=Scope.nodes(["node1.example.com"]),
        )
    )
    job = client.job(ref.name)
    assert job.options["task"] == "package"
    assert job.options["params"] == {"action": "install", "name": "httpd"}


def test_task_with_the_documented_targets(client) -> None:
    targets = (
        {
            "hostnames": ["sshnode1.example.com", "sshnode2.example.com"],
            "private-key-content": "<SSH_KEY>",
            "port": 4444,
            "user": "<USER_NAME>",
            "transport": "ssh",
        },
        {
            "hostnames": ["winrmnode.example.com"],
            "password": "<PASSWORD>",
            "port": 4444,
            "user": "<USER_NAME>",
            "transport": "winrm",
        },
    )
    ref = client.task(
        TaskRequest(
            environment="production",
            task="package",
            params={"action": "status", "name": "x"},
            scope=Scope.nodes(
                ["sshnode1.example.com", "sshnode2.example.com", "winrmnode.example.com"]
            ),
            targets=targets,
        )
    )
    assert client.job(ref.name).node_count == 3


def test_stop_examples_answer_202_with_node_counts(client, clock: Clock) -> None:
    ref = client.deploy(
        DeployRequest(environment="production", scope=Scope.node_group(ALL_NODES), concurrency=2)
    )
    clock.advance(0.5)
    result = client.stop(ref.name)
    assert isinstance(result, StopResult) and result.job.name == ref.name
    assert result.nodes["running"] == 2 and sum(result.nodes.values()) > 2
    again = client.stop(ref.name, force=True)  # idempotent, and force is accepted
    assert again.job.name == ref.name


def test_stop_plan_example_answers_with_the_name(client) -> None:
    plan = client.plan_run(
        PlanRunRequest(
            plan_name="canary",
            description="Start the canary plan on node1 and node2",
            params={
                "nodes": ["node1.example.com", "node2.example.com"],
                "command": "whoami",
                "canary": 1,
            },
        )
    )
    assert isinstance(plan, PlanJobRef)
    assert client.stop_plan(plan.name) == plan
    assert client.stop_plan(plan.name) == plan  # idempotent


def test_task_target_examples(client) -> None:
    first = client.task_target(
        TaskTargetRequest(
            display_name="task_target_example_1",
            tasks=("task_1", "task_2"),
            nodes=("node1", "node2"),
            node_groups=(ALL_NODES,),
        )
    )
    second = client.task_target(
        TaskTargetRequest(
            display_name="task_target_example_2",
            all_tasks=True,
            nodes=("node1", "node2"),
            node_groups=(),
        )
    )
    assert isinstance(first, CreatedRef)
    assert first.id.endswith(f"/scopes/task_targets/{first.name}")
    assert int(second.name) == int(first.name) + 1


def test_environment_plan_run_example(client) -> None:
    plan = client.environment_plan_run(
        EnvironmentPlanRunRequest(
            plan_name="example_plan",
            description="Output 'message' on the targets contained in 'targets' and 'more targets'",
            params={
                "message": {"value": "hello"},
                "example_object_param": {"value": {"value": "xyz"}},
                "targets": {"type": "query", "value": "nodes[certname] { }"},
                "more_targets": {"type": "node_group", "value": ALL_NODES},
            },
        )
    )
    job = client.plan_job(plan.name)
    assert job.plan_name == "example_plan"


# -- plans endpoints ----------------------------------------------------------------------


def test_plans_lists_production_by_default_with_permitted(client) -> None:
    listing = client.plans()
    names = {p.name: p.permitted for p in listing.items}
    assert listing.environment == "production"
    assert names["profile::firewall"] is True and names["canary::random"] is False


def test_plans_in_another_environment(client) -> None:
    assert client.plans("development").environment == "development"


def test_plan_details(client) -> None:
    info = client.plan_info("profile::firewall")
    assert info.name == "profile::firewall" and info.environment == "production"
    assert info.permitted is True
    canary = client.plan_info("canary")
    assert canary.parameters["canary"].default == 1


# -- every documented error kind, mapped ----------------------------------------------------

ERRORS = [
    (
        "unknown-environment",
        oe.UnknownEnvironment,
        404,
        lambda c: c.deploy(DeployRequest(environment="nosuch", scope=Scope.nodes(["a"]))),
    ),
    (
        "empty-environment",
        oe.EmptyEnvironment,
        400,
        lambda c: c.deploy(DeployRequest(environment="staging")),
    ),
    (
        "empty-target",
        oe.EmptyTarget,
        400,
        lambda c: c.deploy(
            DeployRequest(
                environment="production", scope=Scope.query('nodes[certname] { certname = "no" }')
            )
        ),
    ),
    (
        "query-error",
        oe.QueryError,
        400,
        lambda c: c.deploy(
            DeployRequest(environment="production", scope=Scope.query("this is not pql"))
        ),
    ),
    ("validation-error", oe.ValidationFailed, 400, lambda c: c.stop("abc")),
    ("unknown-job", oe.UnknownJob, 404, lambda c: c.stop("987654")),
    ("validation-error", oe.ValidationFailed, 400, lambda c: c.stop_plan("x1")),
    ("unknown-job", oe.UnknownJob, 404, lambda c: c.stop_plan("987654")),
    (
        "empty-target",
        oe.EmptyTarget,
        400,
        lambda c: c.task(
            TaskRequest(
                environment="production",
                task="package",
                params={"action": "status", "name": "x"},
                scope=Scope.nodes(["web01.example.com"]),
                targets=(
                    {
                        "hostnames": ["other.example.com"],
                        "user": "u",
                        "transport": "ssh",
                        "password": "p",
                    },
                ),
            )
        ),
    ),
    (
        "validation-error",
        oe.ValidationFailed,
        400,
        lambda c: c.task_target(TaskTargetRequest(display_name="", tasks=("a",))),
    ),
    (
        "validation-error",
        oe.ValidationFailed,
        400,
        lambda c: c.task_target(TaskTargetRequest(display_name="x")),
    ),
    (
        "validation-error",
        oe.ValidationFailed,
        400,
        lambda c: c.plan_run(PlanRunRequest(plan_name="canary", params={"canary": "one"})),
    ),
    (
        "not-permitted",
        oe.NotPermitted,
        403,
        lambda c: c.plan_run(PlanRunRequest(plan_name="canary::random")),
    ),
    (
        "not-permitted",
        oe.NotPermitted,
        403,
        lambda c: c.environment_plan_run(
            EnvironmentPlanRunRequest(
                plan_name="canary::random", params={"nodes": {"value": "web01.example.com"}}
            )
        ),
    ),
    (
        "validation-error",
        oe.ValidationFailed,
        400,
        lambda c: c.environment_plan_run(
            EnvironmentPlanRunRequest(
                plan_name="example_plan", params={"targets": {"type": "bogus", "value": 1}}
            )
        ),
    ),
    ("validation-error", oe.ValidationFailed, 400, lambda c: c.plans("Bad Env!")),
    ("unknown-environment", oe.UnknownEnvironment, 404, lambda c: c.plans("nosuch")),
    ("unknown-plan", oe.UnknownPlan, 404, lambda c: c.plan_info("profile::nosuch")),
    ("unknown-plan", oe.UnknownPlan, 404, lambda c: c.plan_info("canary", "test-env-1")),
    ("unknown-task", oe.UnknownTask, 404, lambda c: c.task_info("nosuch::task")),
    ("unknown-job", oe.UnknownJob, 404, lambda c: c.job("987654")),
    ("validation-error", oe.ValidationFailed, 400, lambda c: c.job("x")),
]


@pytest.mark.parametrize(
    "kind, exc_type, status, call", ERRORS, ids=[f"{k}-{i}" for i, (k, *_) in enumerate(ERRORS)]
)
def test_documented_error_kinds_map_to_their_exception(
    client, kind, exc_type, status, call
) -> None:
    with pytest.raises(exc_type) as raised:
        call(client)
    assert raised.value.kind == f"puppetlabs.orchestrator/{kind}"
    assert raised.value.status == status
    assert raised.value.msg


def test_puppetdb_unreachable_is_a_puppetdb_error(sim: Simulator, client) -> None:
    sim.set_faults(puppetdb_unreachable=True)
    with pytest.raises(oe.PuppetDBError):
        client.deploy(
            DeployRequest(environment="production", scope=Scope.query("nodes[certname] { }"))
        )


def test_task_not_permitted_for_a_restricted_user(sim: Simulator) -> None:
    viewer = client_for(sim, token="viewer-token")
    with pytest.raises(oe.NotPermitted):
        viewer.task(
            TaskRequest(
                environment="production",
                task="package",
                params={"action": "status", "name": "x"},
                scope=Scope.nodes(["web01.example.com"]),
            )
        )


@pytest.mark.parametrize(
    "token, kind",
    [("", "user-unauthenticated"), ("wrong", "invalid-token"), ("expired-token", "token-expired")],
)
def test_auth_failures_are_authentication_errors(sim: Simulator, token: str, kind: str) -> None:
    with pytest.raises(oe.AuthenticationFailed) as raised:
        client_for(sim, token=token).plans()
    assert raised.value.kind == f"puppetlabs.rbac/{kind}"
    assert raised.value.status == 401


def test_an_unknown_kind_is_still_a_rejection() -> None:
    exc = oe.rejection("puppetlabs.orchestrator/dependency-cycle", "m", None, 400)
    assert type(exc) is oe.Rejected and exc.short_kind == "dependency-cycle"
