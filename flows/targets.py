"""What a request reaches, found on the worker pool (never on the ack path): PuppetDB and the
classifier are asked, their answers become a `policy.reach.Reach`, and a query or node group
is pinned to the certnames it resolved to, so what runs is what was judged.

A certname lookup is an AST array whose names are values (orchestrator/puppetdb.py); a typed
`--query` is sent to PuppetDB as typed, which is what the orchestrator itself would run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from commands.intents import UsageError
from orchestrator.classifier import ClassifierClient
from orchestrator.errors import OrchestratorError, QueryError, Rejected
from orchestrator.puppetdb import NodeRecord, PuppetDBClient
from orchestrator.requests import (
    CommandRequest,
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    ScheduleRequest,
    Scope,
    TaskRequest,
)
from orchestrator.schedule_input import interval_of, run_now_of, start_of
from orchestrator.schedules import schedule_request
from policy.reach import NodeFacts, Reach, Reached, of_nodes, reached_over

log = logging.getLogger(__name__)

OFF = "target resolution is off (PUPPETDB_URL=off)"
REPEATS_SCOPE = (
    "PE resolves {target} again at every run of a repeating schedule, so the nodes it reaches "
    "later are not known now"
)
GROUPS_OFF = "node groups are not resolved (PE_CLASSIFIER_URL=off)"
SHOWN_QUERY = 200


@dataclass(frozen=True)
class Resolved:
    """The reach of a request, and the request to store: pinned when its targets resolved."""

    reach: Reach
    request: CommandRequest


@dataclass(frozen=True)
class _Part:
    """The nodes one target (a scope, or one plan parameter) names."""

    nodes: tuple[Reached, ...]
    unknown: str | None = None
    pinned: tuple[str, ...] | None = None  # certnames that replace a query or group


class Resolver:
    """Resolves targets with PuppetDB and the classifier; either may be None (off)."""

    def __init__(
        self, puppetdb: PuppetDBClient | None, classifier: ClassifierClient | None
    ) -> None:
        self.puppetdb = puppetdb
        self.classifier = classifier

    def close(self) -> None:
        for client in (self.puppetdb, self.classifier):
            if client is not None:
                client.close()

    # -- requests ---------------------------------------------------------------------------

    def resolve(
        self,
        request: CommandRequest,
        *,
        via: str | None = None,
        target_params: Sequence[str] = (),
        command: str = "/deploy",
    ) -> Resolved:
        """The request's reach, and the request pinned to what its query or group resolved to.
        Raises UsageError when PuppetDB refuses a typed query, when a node group does not
        exist, or when a query or group names no node (nothing would run)."""
        if isinstance(request, DeployRequest | TaskRequest) and request.scope is not None:
            scope = request.scope
            target = _describe(scope)
            if via:
                hosts = list(scope.value) if scope.kind == "nodes" else []
                return Resolved(Reach(reached_over(hosts, via), target=target), request)
            part = self._scope(scope, command)
            reach = Reach(part.nodes, part.unknown, target=target, pinned=part.pinned is not None)
            if part.pinned is not None:
                request = replace(request, scope=Scope.nodes(part.pinned))
            return Resolved(reach, request)
        if isinstance(request, PlanRunRequest | EnvironmentPlanRunRequest):
            return self._plan(request, target_params, command)
        if isinstance(request, ScheduleRequest):
            return self._schedule(request, via, target_params, command)
        return Resolved(Reach(target="no nodes"), request)

    def _schedule(
        self,
        request: ScheduleRequest,
        via: str | None,
        target_params: Sequence[str],
        command: str,
    ) -> Resolved:
        """A schedule reaches what the run it stands for reaches. A one-off is pinned like a run
        now; a repeating one is not (PE runs its query or group again each time), so what a
        query or group will reach later counts as unknown, which counts as production."""
        run = self.resolve(
            run_now_of(request), via=via, target_params=target_params, command=command
        )
        reach = run.reach
        if interval_of(request) is None:
            start = start_of(request)
            if not reach.pinned or start is None:
                return Resolved(reach, request)
            pinned = schedule_request(
                run.request,  # type: ignore[arg-type]
                start=start,
                description=request.description,
                userdata=request.userdata or {},
            )
            return Resolved(reach, pinned)
        if reach.pinned:
            why = REPEATS_SCOPE.format(target=reach.target)
            unknown = f"{reach.unknown}; {why}" if reach.unknown else why
            reach = replace(reach, pinned=False, unknown=unknown)
        return Resolved(reach, request)

    def _plan(
        self,
        request: PlanRunRequest | EnvironmentPlanRunRequest,
        target_params: Sequence[str],
        command: str,
    ) -> Resolved:
        params = dict(request.params or {})
        nodes: list[Reached] = []
        unknown: list[str] = []
        names = []
        pinned = False
        for name, raw in sorted(params.items()):
            typed = isinstance(request, EnvironmentPlanRunRequest) and isinstance(raw, Mapping)
            kind = raw.get("type") if typed else None
            value = raw.get("value") if typed else raw
            if kind in ("query", "node_group"):
                scope = Scope.query(value) if kind == "query" else Scope.node_group(str(value))
                part = self._scope(scope, command)
                if part.pinned is not None:
                    params[name] = {"value": list(part.pinned)}
                    pinned = True
            elif name in target_params:
                part = self._names(_target_names(value))
            else:
                continue
            names.append(name)
            nodes.extend(part.nodes)
            if part.unknown:
                unknown.append(f"{name}: {part.unknown}")
        if pinned:
            request = replace(request, params=params)
        target = "parameters " + ", ".join(names) if names else "no target parameters"
        reach = Reach(
            tuple(dict((n.certname, n) for n in nodes).values()),
            "; ".join(unknown) or None,
            target=target,
            pinned=pinned,
            plan=request.plan_name,
            target_params=tuple(target_params),
        )
        return Resolved(reach, request)

    # -- targets ----------------------------------------------------------------------------

    def _scope(self, scope: Scope, command: str) -> _Part:
        if scope.kind == "nodes":
            return self._names(list(scope.value))
        if scope.kind == "query":
            return self._query(scope.value, command)
        return self._group(str(scope.value), command)

    def _names(self, certnames: Sequence[str]) -> _Part:
        if self.puppetdb is None:
            return _unseen(certnames, OFF)
        try:
            known = self.puppetdb.nodes(certnames)
        except (OrchestratorError, ValueError) as exc:
            log.warning("cannot look nodes up in PuppetDB: %s", exc)
            return _unseen(certnames, f"PuppetDB could not be asked ({_short(exc)})")
        return _Part(of_nodes(certnames, _facts(known)))

    def _query(self, query: str | list[Any], command: str) -> _Part:
        if self.puppetdb is None:
            return _Part((), OFF)
        try:
            certnames = self.puppetdb.certnames(query)
        except QueryError as exc:
            raise UsageError(f"PuppetDB refused the query: {exc.msg}", command=command) from None
        except (OrchestratorError, ValueError) as exc:
            log.warning("cannot run a query in PuppetDB: %s", exc)
            return _Part((), f"PuppetDB could not run the query ({_short(exc)})")
        if not certnames:
            raise UsageError(
                "the query matches no node in PuppetDB, so nothing would run; check it with "
                "`puppet query` or name the nodes with --nodes",
                command=command,
            )
        part = self._names(certnames)
        return replace(part, pinned=None if part.unknown else tuple(certnames))

    def _group(self, group_id: str, command: str) -> _Part:
        if self.classifier is None or self.puppetdb is None:
            return _Part((), GROUPS_OFF if self.puppetdb is not None else OFF)
        try:
            rules = self.classifier.group_rules(group_id)
        except Rejected as exc:
            if exc.status == 404 or exc.short_kind in ("not-found", "malformed-uuid"):
                raise UsageError(
                    f"the classifier has no node group {group_id}", command=command
                ) from None
            log.warning("the classifier refused node group %s: %s", group_id, exc)
            return _Part((), f"the classifier refused node group {group_id} ({_short(exc)})")
        except (OrchestratorError, ValueError) as exc:
            log.warning("cannot ask the classifier about node group %s: %s", group_id, exc)
            return _Part((), f"the classifier could not be asked ({_short(exc)})")
        if rules.nodes_query is None:
            return _Part(
                (),
                f"node group {group_id}'s rules cannot be translated into a PuppetDB query "
                "(rules on structured or trusted facts)",
            )
        try:
            records = self.puppetdb.nodes_where(rules.nodes_query)
        except (OrchestratorError, ValueError) as exc:
            log.warning("cannot resolve node group %s in PuppetDB: %s", group_id, exc)
            return _Part((), f"PuppetDB could not resolve the node group ({_short(exc)})")
        if not records:
            raise UsageError(
                f"node group {group_id} has no nodes in PuppetDB, so nothing would run",
                command=command,
            )
        return _Part(of_nodes(records, _facts(records)), pinned=tuple(records))


def _facts(records: Mapping[str, NodeRecord]) -> dict[str, NodeFacts]:
    return {
        name: NodeFacts(
            r.certname, r.catalog_environment, r.facts_environment, r.report_environment
        )
        for name, r in records.items()
    }


def _unseen(certnames: Sequence[str], why: str) -> _Part:
    nodes = tuple(Reached(c, "production", why) for c in dict.fromkeys(certnames))
    return _Part(nodes, why)


def _target_names(value: Any) -> list[str]:
    """A TargetSpec as typed: "a,b", ["a", "b"], or nested lists of those."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [name for item in value for name in _target_names(item)]
    return []


def _describe(scope: Scope) -> str:
    if scope.kind == "nodes":
        count = len(scope.value)
        return f"{count} node{'' if count == 1 else 's'}"
    if scope.kind == "query":
        text = scope.value if isinstance(scope.value, str) else _json(scope.value)
        return f"query {text[:SHOWN_QUERY]}{'…' if len(text) > SHOWN_QUERY else ''}"
    return f"node group {scope.value}"


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _short(exc: Exception, limit: int = 160) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 1] + "…"
