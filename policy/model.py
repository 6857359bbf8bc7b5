"""The policy's vocabulary: what is asked (Subject), what policy says (Decision), and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from config import ConfigError
from policy.reach import Reach, Reached

Action = Literal["run", "deny", "approve"]
ACTIONS: tuple[Action, ...] = ("run", "deny", "approve")

COMMANDS = ("deploy", "task", "plan", "stop", "task_target", "schedule", "watch")
# /schedule list, show and cancel; /watch, /unwatch and /jobs: no environment, no nodes.
# Only these carry an environment; a rule on environments never matches /stop or a task target.
ENV_COMMANDS = ("deploy", "task", "plan")
# Only tasks and plans have a name to match.
NAMED_COMMANDS = ("task", "plan", "schedule", "watch")

DEFAULT_EXPIRY = 1800.0
UNRESOLVED = Reach(unknown="the targets were not resolved")


class PolicyError(ConfigError):
    """The policy file cannot be used; the message names the file, the line and the reason."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Subject:
    """What is being asked, by whom, where."""

    command: str
    user_id: str
    channel_id: str
    environment: str | None = None
    name: str | None = None
    noop: bool = False
    force: bool = False
    node_count: int | None = None
    # The nodes the request reaches (None: not resolved, which counts as production).
    reach: Reach | None = None
    # The SSH/WinRM connection profile of a `/task --via`.
    via: str | None = None
    # A schedule (--at/--in/--every): `repeats` when it runs again and again (--every).
    scheduled: bool = False
    repeats: bool = False
    # Person mode (PE_IDENTITY=person): the PE user the request is sent as; None in service
    # mode, where the service account sends everything.
    pe_user: str | None = None

    @property
    def verb(self) -> str:
        """The command, normalised: "/Task-Target" and "task target" both mean task_target."""
        raw = self.command if isinstance(self.command, str) else ""
        return raw.strip().lstrip("/").lower().replace("-", "_").replace(" ", "_")

    @property
    def size(self) -> int | None:
        """The target size, or None when unknown (a negative or non-integer count is nonsense).
        A resolved reach gives it; a plan's size is unknown, since it may pick its own."""
        reach = self.reach
        if isinstance(reach, Reach) and reach.known and reach.plan is None and reach.nodes:
            return len(reach.nodes)
        count = self.node_count
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        return count

    def counted(self, *, bounded: bool = False) -> list[Reached]:
        """The reached nodes as policy counts them (unresolved counts as production)."""
        reach = self.reach if isinstance(self.reach, Reach) else UNRESOLVED
        return reach.counted(bounded=bounded)

    @property
    def own_environment(self) -> bool:
        """A run without a named environment: agents use their own, which may be production."""
        env = self.environment
        return not isinstance(env, str) or not env.strip()


@dataclass(frozen=True)
class Decision:
    """What policy says about one Subject: run it, deny it, or ask for approval first."""

    action: Action
    rule: str
    reason: str
    approvers_users: tuple[str, ...] = ()
    approvers_groups: tuple[str, ...] = ()
    required: int = 1
    self_approval: bool = False
    expiry_seconds: float = DEFAULT_EXPIRY


class GroupResolver(Protocol):
    """Who is in a Slack user group, by id (S0SRE) or handle (@sre-leads)."""

    def members(self, group: str) -> frozenset[str]: ...


class Unresolved(frozenset[str]):
    """An empty membership meaning "could not look this group up", not "nobody is in it".

    Allow lists and approver lists treat it as empty, so nobody passes; deny lists treat it
    as containing everyone, so a Slack outage never lets a denied person through.
    """


def describe(subject: Subject) -> str:
    """The request as a phrase for sentences: "deploy to production", "force-stop a job",
    "deploy to production on a repeating schedule"."""
    phrase = _describe_run(subject)
    if subject.scheduled is True:
        return phrase + (" on a repeating schedule" if subject.repeats is True else " later")
    return phrase


def _describe_run(subject: Subject) -> str:
    verb = subject.verb
    env = subject.environment
    where = "the agents' own environments" if subject.own_environment else str(env)
    name = subject.name if isinstance(subject.name, str) and subject.name else None
    if verb == "deploy":
        return f"{'noop-' if subject.noop else ''}deploy to {where}"
    if verb in ("task", "plan"):
        label = f"{verb} {name}" if name else verb
        article = "a noop " if subject.noop else ("" if name else "a ")
        return f"run {article}{label} in {where}"
    if verb == "stop":
        return "force-stop a job" if subject.force else "stop a job"
    if verb == "task_target":
        return "create a task target"
    if verb == "schedule":
        return f"{subject.name or 'use'} schedules" if subject.name else "use /schedule"
    if verb == "watch":
        return "watch jobs"
    return f"run {verb or 'an unnamed command'}"
