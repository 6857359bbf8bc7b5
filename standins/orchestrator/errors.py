"""The orchestrator's error bodies: an exception carrying HTTP status, kind, msg and details."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

ORCH = "puppetlabs.orchestrator/"
RBAC = "puppetlabs.rbac/"


class ApiError(Exception):
    """An error the simulated API answers with `{kind, msg, details}` and an HTTP status."""

    def __init__(self, status: int, kind: str, msg: str, details: dict[str, Any] | None = None):
        super().__init__(msg)
        self.status = status
        self.kind = kind
        self.msg = msg
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        return {"kind": self.kind, "msg": self.msg, "details": self.details}


def validation_error(msg: str, **details: Any) -> ApiError:
    return ApiError(400, ORCH + "validation-error", msg, details)


def unknown_job(job_id: object, what: str = "job") -> ApiError:
    return ApiError(404, ORCH + "unknown-job", f"No {what} with id '{job_id}'", {"id": str(job_id)})


def unknown_environment(env: str) -> ApiError:
    return ApiError(
        404, ORCH + "unknown-environment", f"Unknown environment {env}", {"environment": env}
    )


def query_error(msg: str, query: object) -> ApiError:
    return ApiError(400, ORCH + "query-error", msg, {"query": query})


def puppetdb_error() -> ApiError:
    return ApiError(
        400, ORCH + "puppetdb-error", "Unable to query PuppetDB: connection refused", {}
    )


def empty_target(environment: str, target: str) -> ApiError:
    return ApiError(
        400,
        ORCH + "empty-target",
        "No nodes were found for the specified target. Nothing to do.",
        {"environment": environment, "target": target},
    )


def not_permitted(msg: str, **details: Any) -> ApiError:
    return ApiError(403, ORCH + "not-permitted", msg, details)
