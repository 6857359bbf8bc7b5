"""The simulated estate: environments, nodes, groups, tasks, plans and users (see WORLD.md)."""

from __future__ import annotations

import fnmatch
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

log = logging.getLogger(__name__)

OUTCOMES = ("success", "changed", "failed", "unreachable")


class WorldError(ValueError):
    """A world description that cannot be loaded."""


@dataclass(frozen=True)
class Environment:
    name: str
    code_id: str | None = None


@dataclass(frozen=True)
class Node:
    certname: str
    environment: str = "production"  # PuppetDB's catalog_environment: where the classifier puts it
    facts: Mapping[str, Any] = field(default_factory=dict)
    connected: bool = True
    outcome: str = "success"
    factor: float = 1.0
    # What the node's last facts and report said; None: the same as `environment`.
    facts_environment: str | None = None
    report_environment: str | None = None

    @property
    def catalog_environment(self) -> str:
        return self.environment

    @property
    def reachable(self) -> bool:
        """Whether the node's PXP agent answers (an `unreachable` outcome is never connected)."""
        return self.connected and self.outcome != "unreachable"


@dataclass(frozen=True)
class NodeGroup:
    id: str
    name: str
    rules: bool = True
    nodes: tuple[str, ...] = ()  # certnames or fnmatch patterns
    # False: its rules use structured or trusted facts, which the classifier cannot translate
    # into a PuppetDB query (GET /v1/groups/<id>/rules answers `translated: null`).
    translatable: bool = True

    def members(self, nodes: tuple[Node, ...]) -> list[str]:
        return [
            n.certname for n in nodes if any(fnmatch.fnmatchcase(n.certname, p) for p in self.nodes)
        ]


@dataclass(frozen=True)
class TaskDef:
    name: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    environments: tuple[str, ...] | None = None  # None: every environment
    result: Any = None
    fails_on: tuple[str, ...] = ()
    # Nodes where the task prints an `_error` and exits 0: PE reports the node `finished`.
    errors_on: tuple[str, ...] = ()
    error: Any = None  # that `_error` ({kind, msg, details}, with $param and $node filled in)

    @property
    def path(self) -> str:
        """`module/task` as used in /tasks/<module>/<task>; a module's default task is `init`."""
        module, _, short = self.name.partition("::")
        return f"{module}/{short or 'init'}"


@dataclass(frozen=True)
class PlanStep:
    plan: str | None = None  # a sub-plan: plan_start, its `steps`, plan_end
    steps: tuple[PlanStep, ...] = ()
    task: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    targets: str | None = None  # the plan parameter naming the targets
    first: int | str | None = None  # only the first N targets (N or the parameter giving N)
    rest: int | str | None = None  # all but the first N targets
    out_message: str | None = None
    catch_errors: bool = False


@dataclass(frozen=True)
class PlanDef:
    name: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    environments: tuple[str, ...] | None = None
    permitted: bool = True
    steps: tuple[PlanStep, ...] = ()
    result: Any = None
    fail: str | None = None

    @property
    def path(self) -> str:
        module, _, short = self.name.partition("::")
        return f"{module}/{short or 'init'}"


@dataclass(frozen=True)
class Permissions:
    tasks: tuple[str, ...] = ("*",)
    plans: tuple[str, ...] = ("*",)
    environments: tuple[str, ...] = ("*",)
    deploy: bool = True

    def allows(self, what: str, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in getattr(self, what))


@dataclass(frozen=True)
class User:
    token: str  # a standing token that never expires (a world file's fixture, not PE's)
    login: str
    id: str
    display_name: str = ""
    email: str = ""
    superuser: bool = False
    permissions: Permissions = field(default_factory=Permissions)
    expired: bool = False
    revoked: bool = False
    # For POST /rbac-api/v1/auth/token; None: no password login (an SSO user, PE's api_user).
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Settings:
    deploy_concurrency: int = 10
    task_concurrency: int = 250
    console_url: str = "https://console.example.com"
    broker: str = "pcp://puppet.example.com/server"
    pe_version: str = "2023.8"  # the PE whose shapes to speak (versions.py)
    # RBAC (PE docs, "Configure RBAC and token-based authentication settings"): failed logins
    # before PE revokes the account (rbac_failed_attempts_lockout, default 10), a token's
    # lifetime when the login names none (rbac_token_auth_lifetime, "1h"), and the longest
    # allowed, which `"lifetime": "0"` asks for (rbac_token_maximum_lifetime, "10y").
    failed_attempts_lockout: int = 10
    token_default_lifetime: str = "1h"
    token_maximum_lifetime: str = "10y"


@dataclass(frozen=True)
class Flags:
    puppetdb_unreachable: bool = False
    pcp_broker_down: bool = False


@dataclass(frozen=True)
class World:
    environments: tuple[Environment, ...]
    nodes: tuple[Node, ...] = ()
    node_groups: tuple[NodeGroup, ...] = ()
    tasks: tuple[TaskDef, ...] = ()
    plans: tuple[PlanDef, ...] = ()
    users: tuple[User, ...] = ()
    settings: Settings = field(default_factory=Settings)
    flags: Flags = field(default_factory=Flags)
    _index: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Lookups are by name on every request; index once so big worlds stay cheap.
        by_env: dict[str, list[str]] = {e.name: [] for e in self.environments}
        for n in self.nodes:
            by_env.setdefault(n.environment, []).append(n.certname)
        index = {
            "env": {e.name: e for e in self.environments},
            "node": {n.certname: n for n in self.nodes},
            "env_nodes": by_env,
            "group": {g.id: g for g in self.node_groups},
            "user": {u.token: u for u in self.users},
            "login": {},
        }
        for u in self.users:
            index["login"].setdefault(u.login, u)
        object.__setattr__(self, "_index", index)

    def environment(self, name: str) -> Environment | None:
        return self._index["env"].get(name)

    def node(self, certname: str) -> Node | None:
        return self._index["node"].get(certname)

    def nodes_in(self, env: str) -> list[str]:
        return list(self._index["env_nodes"].get(env, ()))

    def group(self, group_id: str) -> NodeGroup | None:
        return self._index["group"].get(group_id)

    def user(self, token: str) -> User | None:
        return self._index["user"].get(token)

    def user_named(self, login: str) -> User | None:
        """The user with this login (the first, if a world file repeats one)."""
        return self._index["login"].get(login)

    def user_as(self, login: str) -> User:
        """The user with this login; another PE user (full rights, no token) if there is none."""
        known = self.user_named(login)
        if known is not None:
            return known
        ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"pe-user:{login}"))  # stable across runs
        return User(
            token="",
            login=login,
            id=ident,
            display_name=login.capitalize(),
            email=f"{login}@example.com",
        )

    def tasks_in(self, env: str) -> list[TaskDef]:
        return [t for t in self.tasks if t.environments is None or env in t.environments]

    def task(self, env: str, name: str) -> TaskDef | None:
        return next((t for t in self.tasks_in(env) if t.name == name), None)

    def plans_in(self, env: str) -> list[PlanDef]:
        return [p for p in self.plans if p.environments is None or env in p.environments]

    def plan(self, env: str, name: str) -> PlanDef | None:
        return next((p for p in self.plans_in(env) if p.name == name), None)

    def with_admin_token(self, token: str) -> World:
        """The same world where `token` authenticates the `admin` user (added if missing)."""
        admin = next((u for u in self.users if u.login == "admin"), None)
        if admin is None:
            admin = User(
                token=token,
                login="admin",
                id=ADMIN_ID,
                display_name="Administrator",
                superuser=True,
            )
        others = tuple(u for u in self.users if u.login != "admin" and u.token != token)
        return replace(self, users=(replace(admin, token=token), *others))


ADMIN_ID = "42bf351c-f9ec-40af-84ad-e976fec7f4bd"
