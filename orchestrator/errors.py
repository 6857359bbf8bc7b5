"""One exception tree for everything that can go wrong talking to the orchestrator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class OrchestratorError(Exception):
    """Anything that went wrong talking to the orchestrator."""


class Unavailable(OrchestratorError):
    """The orchestrator could not be reached or did not answer usefully (network, timeout, 5xx)."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class UnexpectedShape(OrchestratorError):
    """The orchestrator answered in a shape this bot does not understand (a value it needs is
    missing or unreadable); `body` is what it sent, for the log."""

    def __init__(self, reason: str, *, path: str = "", body: Any = None) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.reason = reason
        self.path = path
        self.body = body

    def at(self, path: str, body: Any) -> UnexpectedShape:
        """The same problem, placed: which request it answered and the whole body."""
        return UnexpectedShape(self.reason, path=path, body=body)


class Rejected(OrchestratorError):
    """The orchestrator answered with an error body: `{kind, msg, details}`."""

    def __init__(
        self, kind: str, msg: str, details: Mapping[str, Any] | None = None, *, status: int
    ) -> None:
        super().__init__(f"{kind}: {msg}")
        self.kind = kind
        self.msg = msg
        self.details: Mapping[str, Any] = dict(details or {})
        self.status = status

    @property
    def short_kind(self) -> str:
        """The kind without its namespace: `unknown-environment`."""
        return self.kind.rsplit("/", 1)[-1]


class AuthenticationFailed(Rejected):
    """The RBAC token is missing, invalid, expired or revoked (`puppetlabs.rbac/*`)."""


class BadCredentials(AuthenticationFailed):
    """PE refused the login and password (`user-unauthenticated` from POST /auth/token); the
    failure counts toward PE's lockout."""


class AccountLocked(AuthenticationFailed):
    """The PE account is revoked (`user-revoked`): locked out after too many failed logins, or
    revoked by an administrator; only a PE administrator can reinstate it."""


class TokenExpired(AuthenticationFailed):
    """The token's lifetime is over, or it timed out unused (`token-expired`, `token-timed-out`)."""


class TokenRevoked(AuthenticationFailed):
    """The token was revoked (`token-revoked`)."""


class InvalidToken(AuthenticationFailed):
    """RBAC cannot read the token: mistyped, tampered with, or not one of its own
    (`invalid-token`, or a malformed token in DELETE /tokens)."""


class LabelInUse(Rejected):
    """The PE user already has a live token with this label (`conflict`)."""


class MalformedRequest(Rejected):
    """RBAC refused the request body (`malformed-request`, `schema-violation`, …)."""


class ValidationFailed(Rejected):
    """The request was malformed (`validation-error`)."""


class UnknownEnvironment(Rejected):
    """The environment does not exist (`unknown-environment`)."""


class EmptyEnvironment(Rejected):
    """The environment has no nodes (`empty-environment`)."""


class EmptyTarget(Rejected):
    """The scope or targets resolved to no nodes (`empty-target`)."""


class PuppetDBError(Rejected):
    """The orchestrator could not query PuppetDB for a query scope (`puppetdb-error`)."""


class QueryError(Rejected):
    """The query is invalid or not permitted (`query-error`)."""


class NotPermitted(Rejected):
    """The RBAC user may not run this task, plan or node set (`not-permitted`)."""


class UnknownJob(Rejected):
    """No such job or plan job (`unknown-job`)."""


class UnknownPlan(Rejected):
    """No such plan in that environment (`unknown-plan`)."""


class UnknownTask(Rejected):
    """No such task in that environment (`unknown-task`)."""


class UnknownTaskTarget(Rejected):
    """No such task-target (`unknown-task-target`)."""


class MismatchedJobEventId(Rejected):
    """The event does not belong to that plan job (`mismatched-job-event-id`)."""


class InvalidTime(Rejected):
    """A scheduled start time is in the past (`invalid-time`)."""


class DisabledScheduledJob(Rejected):
    """The scheduled job is disabled and cannot be changed (`disabled-scheduled-job`)."""


class UnknownScheduledJob(UnknownJob):
    """No such scheduled job (`unknown-job` from /scheduled_jobs/environment_jobs/<id>)."""


class SchedulingUnsupported(Rejected):
    """This PE has no /scheduled_jobs/environment_jobs (it answered 404 or 405): PE 2021.7 or
    later is needed to schedule from the bot."""

    MESSAGE = (
        "Scheduling needs PE 2021.7 or later: this orchestrator has no "
        "/scheduled_jobs/environment_jobs endpoint."
    )

    def __init__(self, kind: str = "not-found", *, status: int = 404) -> None:
        super().__init__(kind, self.MESSAGE, {}, status=status)


_BY_SHORT_KIND: dict[str, type[Rejected]] = {
    "validation-error": ValidationFailed,
    "unknown-environment": UnknownEnvironment,
    "empty-environment": EmptyEnvironment,
    "empty-target": EmptyTarget,
    "puppetdb-error": PuppetDBError,
    "query-error": QueryError,
    "not-permitted": NotPermitted,
    "unknown-job": UnknownJob,
    "unknown-plan": UnknownPlan,
    "unknown-task": UnknownTask,
    "unknown-task-target": UnknownTaskTarget,
    "mismatched-job-event-id": MismatchedJobEventId,
    "invalid-time": InvalidTime,
    "disabled-scheduled-job": DisabledScheduledJob,
}


def rejection(kind: str, msg: str, details: Mapping[str, Any] | None, status: int) -> Rejected:
    """The most specific exception for an error body; the suffix decides, as in PE's own clients."""
    if kind.startswith("puppetlabs.rbac/"):
        cls: type[Rejected] = AuthenticationFailed
    else:
        cls = _BY_SHORT_KIND.get(kind.rsplit("/", 1)[-1], Rejected)
    return cls(kind, msg, details, status=status)


_RBAC_BY_SHORT_KIND: dict[str, type[Rejected]] = {
    "user-unauthenticated": BadCredentials,
    "user-revoked": AccountLocked,
    "api-user-login": BadCredentials,
    "remote-user-conflict": BadCredentials,
    "token-expired": TokenExpired,
    "token-timed-out": TokenExpired,
    "token-revoked": TokenRevoked,
    "invalid-token": InvalidToken,
    "conflict": LabelInUse,
    "malformed-request": MalformedRequest,
    "schema-violation": MalformedRequest,
    "malformed-token-request": MalformedRequest,
}


def rbac_rejection(kind: str, msg: str, details: Mapping[str, Any] | None, status: int) -> Rejected:
    """The most specific exception for an RBAC API error body (kinds: "RBAC service errors",
    "Tokens endpoints"); a malformed token in DELETE /tokens is an InvalidToken."""
    short = kind.rsplit("/", 1)[-1]
    cls = _RBAC_BY_SHORT_KIND.get(short, Rejected)
    if cls is MalformedRequest and (details or {}).get("malformed_tokens"):
        cls = InvalidToken
    return cls(kind, msg, details, status=status)
