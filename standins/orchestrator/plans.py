"""Plan jobs: run the world's plan steps as child plan_task jobs, finish, fail or stop."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from string import Template
from typing import TYPE_CHECKING, Any

from . import results
from .state import Job, JobSpec, PlanJob
from .world import PlanStep

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger(__name__)


def substitute(value: Any, params: Mapping[str, Any]) -> Any:
    """Fill `$name` placeholders from plan or task parameters; a lone `$name` keeps its type."""
    if isinstance(value, str):
        if value.startswith("$") and value[1:] in params:
            return params[value[1:]]
        flat = {k: v if isinstance(v, str) else _text(v) for k, v in params.items()}
        return Template(value).safe_substitute(flat)
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    if isinstance(value, Mapping):
        return {k: substitute(v, params) for k, v in value.items()}
    return value


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return "true" if value is True else "false" if value is False else str(value)


def target_names(spec: Any) -> list[str]:
    """Flatten a TargetSpec (a name, comma-separated names, or nested lists) into names."""
    if spec is None:
        return []
    if isinstance(spec, str):
        return [part.strip() for part in spec.split(",") if part.strip()]
    if isinstance(spec, list):
        return [name for item in spec for name in target_names(item)]
    if isinstance(spec, Mapping) and isinstance(spec.get("name") or spec.get("uri"), str):
        return [spec.get("name") or spec["uri"]]
    return []


def step_targets(step: PlanStep, params: Mapping[str, Any]) -> list[str]:
    names = target_names(params.get(step.targets)) if step.targets else []
    for cut, keep_head in ((step.first, True), (step.rest, False)):
        if cut is not None:
            count = params.get(cut, 1) if isinstance(cut, str) else cut
            count = count if isinstance(count, int) else 1
            names = names[:count] if keep_head else names[count:]
    return names


def flatten(steps: tuple[PlanStep, ...]) -> list[Any]:
    """Steps in the order they run; a sub-plan becomes ("start", name), its steps, ("end", name)."""
    flat: list[Any] = []
    for step in steps:
        if step.plan is not None:
            flat += [("start", step.plan), *flatten(step.steps), ("end", step.plan)]
        else:
            flat.append(step)
    return flat


def _steps(plan_job: PlanJob) -> list[Any]:
    if plan_job.flat is None:
        plan_job.flat = flatten(plan_job.spec.plan.steps)
    return plan_job.flat


def _sub_plan(engine: Engine, plan_job: PlanJob, mark: tuple[str, str], now: float) -> None:
    """A sub-plan's edges: plan_start {plan}, plan_end {plan, duration} (2019.5 docs)."""
    edge, name = mark
    if edge == "start":
        plan_job.sub_started[name] = now
        engine.emit_plan(plan_job, "plan_start", now, {"plan": name})
    else:
        took = now - plan_job.sub_started.pop(name, now)
        engine.emit_plan(plan_job, "plan_end", now, {"plan": name, "duration": round(took, 6)})


def advance_plan(engine: Engine, plan_job: PlanJob, now: float) -> None:
    """Run steps until one starts a child job (resumed by child_done) or the plan ends."""
    spec = plan_job.spec
    steps = _steps(plan_job)
    while plan_job.state == "running" and plan_job.step < len(steps):
        step = steps[plan_job.step]
        plan_job.step += 1
        if isinstance(step, tuple):
            _sub_plan(engine, plan_job, step, now)
            continue
        if step.out_message is not None:
            message = substitute(step.out_message, spec.params)
            engine.emit_plan(plan_job, "out_message", now, {"message": message})
            continue
        targets = step_targets(step, spec.params)
        if not step.task or not targets:
            continue  # run_task on no targets returns an empty result set
        task = engine.world.task(spec.environment, step.task)
        if task is None:
            _end(
                engine,
                plan_job,
                now,
                failed=True,
                result={
                    "kind": "bolt/unknown-task",
                    "msg": f"Could not find a task named '{step.task}'",
                    "details": {},
                },
            )
            return
        params = substitute(dict(step.params), spec.params)
        child = engine.new_job(
            JobSpec(
                kind="plan_task",
                owner=spec.owner,
                environment=spec.environment,
                nodes=tuple(targets),
                task=task,
                params=params,
                plan_job=plan_job.id,
                options={
                    "description": spec.options.get("description"),
                    "plan_job": plan_job.id,
                    "task": task.name,
                    "params": params,
                    "transport": "pxp",
                    "noop": False,
                    "sensitive": [],
                    "scheduled-job-id": None,  # as the 2021.7.1 docs' plan_task item
                    "scope": {"nodes": targets},
                    "environment": spec.environment,
                },
            ),
            now,
        )
        plan_job.children.append(child.id)
        plan_job.current = child.id
        engine.emit_plan(plan_job, "task_start", now, {"job-id": child.id})
        engine.start_job(child, now)  # may finish at once and re-enter through child_done
        return
    if plan_job.state == "running":
        if spec.plan.fail:
            result = {"kind": "bolt/plan-failure", "msg": spec.plan.fail, "details": {}}
            _end(engine, plan_job, now, failed=True, result=result)
        else:
            _end(
                engine,
                plan_job,
                now,
                failed=False,
                result=substitute(spec.plan.result, spec.params),
            )


def child_done(engine: Engine, plan_job: PlanJob, job: Job, now: float) -> None:
    if plan_job.state != "running" or plan_job.current != job.id:
        return  # the plan was stopped; its child still ran to the end
    plan_job.current = None
    step = _steps(plan_job)[plan_job.step - 1]
    if job.state != "finished" and not step.catch_errors:
        bad = [r for r in job.nodes if r.state != "finished"]
        _end(
            engine,
            plan_job,
            now,
            failed=True,
            result={
                "kind": "bolt/run-failure",
                "msg": f"Plan aborted: run_task '{job.spec.task.name if job.spec.task else ''}' "
                f"failed on {len(bad)} target{'s' if len(bad) != 1 else ''}",
                "details": {
                    "action": "run_task",
                    "object": job.spec.task.name if job.spec.task else "",
                    "result_set": [_result_entry(engine, job, r) for r in job.nodes],
                },
            },
        )
        return
    advance_plan(engine, plan_job, now)


def stop_plan(engine: Engine, plan_job: PlanJob, login: str, now: float) -> None:
    """Interrupt the plan: it fails now; a running child job is left to finish."""
    if plan_job.state not in ("running", "pending"):
        return
    _end(
        engine,
        plan_job,
        now,
        failed=True,
        result={
            "kind": "puppetlabs.orchestrator/plan-stopped",
            "msg": f"Plan job {plan_job.id} was stopped by {login}",
            "details": {},
        },
    )


def _result_entry(engine: Engine, job: Job, run: Any) -> dict[str, Any]:
    return {
        "target": run.name,
        "action": "task",
        "object": job.spec.task.name if job.spec.task else None,
        "status": "success" if run.state == "finished" else "failure",
        "value": results.node_result(engine.world, job, run),
    }


def _end(engine: Engine, plan_job: PlanJob, now: float, *, failed: bool, result: Any) -> None:
    plan_job.state = "failure" if failed else "success"
    plan_job.result = result
    plan_job.finished = plan_job.timestamp = now
    engine.emit_plan(
        plan_job,
        "plan_failed" if failed else "plan_finished",
        now,
        {"plan-id": plan_job.id, "result": result},
    )
