"""The orchestrator API client: typed methods over an injected `httpx.Client`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from orchestrator import models
from orchestrator.errors import Unavailable, rejection
from orchestrator.lenient import shaped
from orchestrator.listing import JobListingAPI
from orchestrator.rbac import RbacClient
from orchestrator.refs import Submitted
from orchestrator.requests import (
    CommandRequest,
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    ScheduleRequest,
    StopPlanRequest,
    StopRequest,
    TaskRequest,
    TaskTargetRequest,
)
from orchestrator.scheduling import ScheduledJobsAPI
from orchestrator.service import retried

log = logging.getLogger(__name__)
T = TypeVar("T")

API_PREFIX = "/orchestrator/v1"
# The documentation calls these two idempotent; every other command POST creates something.
IDEMPOTENT_COMMANDS = frozenset({StopRequest.ENDPOINT, StopPlanRequest.ENDPOINT})


def split_name(name: str) -> tuple[str, str]:
    """`package::install` → (`package`, `install`); a module's default task or plan is `init`."""
    parts = name.split("::")
    if len(parts) > 2 or not all(parts):
        raise ValueError(f"not a task or plan name: {name!r} (expected module or module::name)")
    return (parts[0], parts[1] if len(parts) == 2 else "init")


def _path(*segments: str) -> str:
    return "/" + "/".join(quote(str(s), safe="") for s in segments)


class OrchestratorClient(ScheduledJobsAPI, JobListingAPI):
    """Speaks the PE orchestrator API v1 at `base_url` (the `/orchestrator/v1` prefix is added).

    Scheduled jobs (schedule, scheduled_jobs, scheduled_job, update/disable_scheduled_job):
    orchestrator/scheduling.py; recent_jobs and recent_plan_jobs: orchestrator/listing.py.
    """

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        token: str,
        *,
        attempts: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._root = base_url.rstrip("/") + API_PREFIX
        self._token = token
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"OrchestratorClient({self._root!r})"

    @property
    def root(self) -> str:
        return self._root

    @property
    def timeout(self) -> float:
        """Seconds one request waits for PE's answer (PE_TIMEOUT); a minute if none is set."""
        read = self._http.timeout.read
        return 60.0 if read is None else float(read)

    def with_token(self, token: str) -> OrchestratorClient:
        """The same client (one connection pool) sending as another PE user: person mode sends
        a person's commands with their own token, so PE's RBAC and job owner see them."""
        return OrchestratorClient(
            self._http,
            self._root.removesuffix(API_PREFIX),
            token,
            attempts=self._attempts,
            backoff=self._backoff,
            sleep=self._sleep,
        )

    def close(self) -> None:
        self._http.close()

    def login_with(self, rbac: RbacClient) -> str:
        """The PE login this client's token stands for, as RBAC says (`authenticate`): person
        mode tells the service account's schedules apart. The token goes to RBAC only."""
        return rbac.authenticate(self._token).login

    # -- commands -------------------------------------------------------------------------------

    def deploy(self, request: DeployRequest) -> models.JobRef:
        return self._command(request, lambda d: models.JobRef.parse(d["job"]))

    def task(self, request: TaskRequest) -> models.JobRef:
        return self._command(request, lambda d: models.JobRef.parse(d["job"]))

    def plan_run(self, request: PlanRunRequest) -> models.PlanJobRef:
        return self._command(request, _plan_ref)

    def environment_plan_run(self, request: EnvironmentPlanRunRequest) -> models.PlanJobRef:
        return self._command(request, _plan_ref)

    def stop(self, job: str, *, force: bool = False) -> models.StopResult:
        request = StopRequest(job=str(job), force=True if force else None)
        return self._command(request, models.StopResult.parse)

    def stop_plan(self, plan_job: str) -> models.PlanJobRef:
        return self._command(StopPlanRequest(plan_job=str(plan_job)), _plan_ref)

    def task_target(self, request: TaskTargetRequest) -> models.CreatedRef:
        return self._command(request, lambda d: models.CreatedRef.parse(d["task_target"]))

    def submit(self, request: CommandRequest) -> Submitted:
        """Send any command request; returns the typed answer of its endpoint."""
        match request:
            case DeployRequest():
                return self.deploy(request)
            case TaskRequest():
                return self.task(request)
            case PlanRunRequest():
                return self.plan_run(request)
            case EnvironmentPlanRunRequest():
                return self.environment_plan_run(request)
            case StopRequest():
                return self.stop(request.job, force=bool(request.force))
            case StopPlanRequest():
                return self.stop_plan(request.plan_job)
            case TaskTargetRequest():
                return self.task_target(request)
            case ScheduleRequest():
                return self.schedule(request)

    # -- reads ----------------------------------------------------------------------------------

    def job(self, job: str) -> models.Job:
        return self._read(models.Job.parse, _path("jobs", job))

    def jobs(self, **params: Any) -> models.JobList:
        """GET /jobs with limit, offset, order_by, order, type, task, min/max_finish_timestamp."""
        return self._read(models.JobList.parse, "/jobs", params)

    def job_nodes(self, job: str, **params: Any) -> models.NodePage:
        """GET /jobs/<id>/nodes with state, order_by, order, limit, offset."""
        return self._read(models.NodePage.parse, _path("jobs", job, "nodes"), params)

    def all_job_nodes(
        self, job: str, *, state: str | None = None, page: int = 500
    ) -> list[models.Node]:
        """Every node of a job (optionally in one state), page by page."""
        nodes: list[models.Node] = []
        while True:
            params = {"limit": page, "offset": len(nodes), "order_by": "name"}
            got = self.job_nodes(job, **params, **({"state": state} if state else {})).items
            nodes.extend(got)
            if len(got) < page:
                return nodes

    def job_events(self, job: str, start: int = 0) -> models.EventPage:
        path = _path("jobs", job, "events")
        data = self._get(path, {"start": start})
        return shaped(models.event_page, path, data, start, models.Event.parse)

    def plan_job(self, plan_job: str) -> models.PlanJob:
        return self._read(models.PlanJob.parse, _path("plan_jobs", plan_job))

    def plan_jobs(self, **params: Any) -> list[models.PlanJob]:
        """GET /plan_jobs with limit, offset, order_by, order, results, min/max_finish_timestamp."""

        def parse(data: Any) -> list[models.PlanJob]:
            return [models.PlanJob.parse(p) for p in models.items(models.obj(data, "list"), "list")]

        return self._read(parse, "/plan_jobs", params)

    def plan_job_events(self, plan_job: str, start: int = 0) -> models.EventPage:
        path = _path("plan_jobs", plan_job, "events")
        data = self._get(path, {"start": start})
        return shaped(models.event_page, path, data, start, models.PlanEvent.parse)

    def plan_job_event(self, plan_job: str, event: int) -> models.PlanEvent:
        """One plan event whole: `out_message` is cut at 1,024 bytes in the events list."""
        return self._read(models.PlanEvent.parse, _path("plan_jobs", plan_job, "event", str(event)))

    def tasks(self, environment: str = "production") -> models.Listing:
        return self._read(models.Listing.parse, "/tasks", {"environment": environment})

    def task_info(self, name: str, environment: str = "production") -> models.TaskInfo:
        path = _path("tasks", *split_name(name))
        return self._read(models.TaskInfo.parse, path, {"environment": environment})

    def plans(self, environment: str = "production") -> models.Listing:
        return self._read(models.Listing.parse, "/plans", {"environment": environment})

    def plan_info(self, name: str, environment: str = "production") -> models.PlanInfo:
        path = _path("plans", *split_name(name))
        return self._read(models.PlanInfo.parse, path, {"environment": environment})

    def inventory(self, nodes: list[str] | None = None) -> list[models.InventoryNode]:
        """Connection state of every node, or of the given nodes (POST /inventory, a read)."""
        if nodes is None:
            data = self._get("/inventory")
        else:
            data = self._call("POST", "/inventory", body={"nodes": list(nodes)}, retry=True)

        def parse(body: Any) -> list[models.InventoryNode]:
            return [models.InventoryNode.parse(n) for n in body.get("items") or ()]

        return shaped(parse, "/inventory", data)

    def root_info(self) -> Mapping[str, Any]:
        info: Mapping[str, Any] = self._get("")
        return info

    # -- transport ------------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        return self._call("GET", path, params=clean, retry=True)

    def _read(
        self, parse: Callable[[Any], T], path: str, params: Mapping[str, Any] | None = None
    ) -> T:
        return shaped(parse, path, self._get(path, params))

    def _command(self, request: CommandRequest, parse: Callable[[Any], T]) -> T:
        endpoint = request.ENDPOINT
        path = "/" + endpoint if "/" in endpoint else "/command/" + endpoint
        retry = endpoint in IDEMPOTENT_COMMANDS
        return shaped(parse, path, self._call("POST", path, body=request.body(), retry=retry))

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        retry: bool,
    ) -> Any:
        return retried(
            lambda: self._once(method, path, params, body),
            attempts=self._attempts if retry else 1,
            backoff=self._backoff,
            sleep=self._sleep,
            what=f"{method} {path}",
        )

    def _once(self, method: str, path: str, params: Any, body: Any) -> Any:
        headers = {"X-Authentication": self._token, "Accept": "application/json"}
        try:
            response = self._http.request(
                method, self._root + path, params=params, json=body, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise Unavailable(
                f"timed out talking to the orchestrator ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            raise Unavailable(f"cannot reach the orchestrator: {exc}") from exc
        return decode(response)


def _plan_ref(data: Any) -> models.PlanJobRef:
    return models.PlanJobRef(models.name_of(models.obj(data, "the answer"), "the plan job"))


def decode(response: httpx.Response) -> Any:
    """The JSON of a success, or the exception an error response stands for."""
    status = response.status_code
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if status >= 500:
        what = f"{data.get('kind')}: {data.get('msg')}" if _is_error(data) else "no details"
        raise Unavailable(f"the orchestrator answered HTTP {status} ({what})", status=status)
    if status >= 400:
        if not _is_error(data):
            raise Unavailable(
                f"the orchestrator answered HTTP {status} without an error body", status=status
            )
        raise rejection(data["kind"], str(data.get("msg", "")), data.get("details"), status)
    if data is None:
        raise Unavailable(
            f"the orchestrator answered HTTP {status} with a body that is not JSON", status=status
        )
    return data


def _is_error(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("kind"), str)
