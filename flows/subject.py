"""What a request is, read off its exact body (pure): the subject the policy decides on, and the
marker that ties a job back to the chat request behind it."""

from __future__ import annotations

from dataclasses import replace

from flows.asker import Asker
from orchestrator.requests import (
    CommandRequest,
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    ScheduleRequest,
    TaskRequest,
)
from orchestrator.schedule_input import interval_of, run_now_of
from policy import Subject
from policy.reach import Reach

COMMAND_OF = {
    "deploy": "deploy",
    "task": "task",
    "plan_run": "plan",
    "environment_plan_run": "plan",
    "stop": "stop",
    "stop_plan": "stop",
    "task_target": "task_target",
}
MARKED = (DeployRequest, TaskRequest, PlanRunRequest, EnvironmentPlanRunRequest, ScheduleRequest)


def subject_of(
    request: CommandRequest,
    asker: Asker,
    reach: Reach | None = None,
    via: str | None = None,
    pe_user: str | None = None,
) -> Subject:
    """What policy decides on, read off the exact request and what it reaches. A schedule is
    judged as the run it stands for, marked as scheduled (and repeating, with --every)."""
    if isinstance(request, ScheduleRequest):
        run = subject_of(run_now_of(request), asker, reach, via, pe_user)
        return replace(run, scheduled=True, repeats=interval_of(request) is not None)
    body = request.body()
    scope = body.get("scope") or {}
    nodes = scope.get("nodes")
    name = body.get("task") or body.get("plan_name")
    return Subject(
        command=COMMAND_OF[request.ENDPOINT],
        user_id=asker.user_id,
        channel_id=asker.channel_id,
        environment=body.get("environment")
        if "environment" in body
        else ("production" if request.ENDPOINT in ("plan_run", "environment_plan_run") else None),
        name=name,
        noop=bool(body.get("noop")),
        force=bool(body.get("force")),
        node_count=len(nodes) if isinstance(nodes, list) else None,
        reach=reach,
        via=via,
        pe_user=pe_user,
    )


def with_marker(request: CommandRequest, request_id: str, user_id: str) -> CommandRequest:
    """Tag jobs with the chat request behind them: PE users see who asked, and after a crash
    mid-launch the bot can find out whether the job was created."""
    if not isinstance(request, MARKED):
        return request
    userdata = {
        **(request.userdata or {}),
        "chatops_request": request_id,
        "chatops_slack_user": user_id,
    }
    return replace(request, userdata=userdata)
