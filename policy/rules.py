"""One policy rule, what it matches and why not, and the built-in defaults written as rules."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from policy.model import DEFAULT_EXPIRY, ENV_COMMANDS, NAMED_COMMANDS, Action, Subject
from policy.principals import join_or
from policy.reach import PRODUCTION_GLOB
from policy.reach_match import node_environment_miss, via_miss

# An unnamed environment (agents' own, or not given) could reach production nodes, so globs
# are tried against this name; a rule for production* then also holds such runs.
ASSUMED_ENVIRONMENT = "production"
DEFAULT_PREFIX = "default: "


@dataclass(frozen=True)
class Rule:
    """One [[rule]]: None in a matcher means "any"; requesters None means "anyone"."""

    name: str
    action: Action
    commands: tuple[str, ...] | None = None
    environments: tuple[str, ...] | None = None
    channels: tuple[str, ...] | None = None
    names: tuple[str, ...] | None = None
    noop: bool | None = None
    force: bool | None = None
    # true: only schedules that repeat (--every); false: anything else.
    repeating: bool | None = None
    min_nodes: int | None = None
    max_nodes: int | None = None
    node_environments: tuple[str, ...] | None = None
    via: tuple[str, ...] | None = None
    # The plans this rule names reach only the nodes in their target parameters.
    bounded_by_targets: bool = False
    requesters: tuple[str, ...] | None = None
    # PE logins (globs) the request is sent as (person mode); None: any, or service mode.
    pe_users: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    approvals: int = 1
    self_approval: bool = False
    expiry: float = DEFAULT_EXPIRY
    reason: str | None = None
    line: int | None = None


def _quoted(items: tuple[str, ...]) -> str:
    return join_or([f'"{i}"' if i == "" else i for i in items])


def _environment_miss(rule_envs: tuple[str, ...], subject: Subject, quiet: bool) -> str | None:
    verb = subject.verb
    if verb not in ENV_COMMANDS:
        if quiet:
            return None
        return f"{verb or 'this command'} has no environment, rule wants {_quoted(rule_envs)}"
    if subject.own_environment:
        if any(g == "" or fnmatchcase(ASSUMED_ENVIRONMENT, g) for g in rule_envs):
            return None
        return (
            "no environment is named (agents use their own, counted as "
            f"{ASSUMED_ENVIRONMENT}), rule wants {_quoted(rule_envs)}"
        )
    env = str(subject.environment)
    if any(g and fnmatchcase(env, g) for g in rule_envs):
        return None
    return f"environment is {env}, rule wants {_quoted(rule_envs)}"


def _name_miss(rule_names: tuple[str, ...], subject: Subject, quiet: bool) -> str | None:
    verb = subject.verb
    name = subject.name if isinstance(subject.name, str) else ""
    if verb not in NAMED_COMMANDS or not name:
        if quiet and verb not in NAMED_COMMANDS:
            return None
        return f"{verb or 'this command'} has no task or plan name, rule wants " + join_or(
            rule_names
        )
    if any(fnmatchcase(name, g) for g in rule_names):
        return None
    return f"{verb} name is {name}, rule wants {join_or(rule_names)}"


def _pe_user_miss(rule_users: tuple[str, ...], subject: Subject) -> str | None:
    user = subject.pe_user
    if not isinstance(user, str) or not user:
        return f"no PE user (the service account sends it), rule wants {join_or(rule_users)}"
    if any(fnmatchcase(user.casefold(), g.casefold()) for g in rule_users):
        return None
    return f"PE user is {user}, rule wants {join_or(rule_users)}"


def _noop_miss(want: bool, subject: Subject, quiet: bool) -> str | None:
    wanted = "noop runs" if want else "enforcing runs"
    if subject.verb not in ENV_COMMANDS:
        return None if quiet else f"{subject.verb or 'this'} is not a run, rule wants {wanted}"
    if bool(subject.noop) == want:
        return None
    return f"this is {'a noop' if subject.noop else 'an enforcing'} run, rule wants {wanted}"


def _repeating_miss(want: bool, subject: Subject, quiet: bool) -> str | None:
    if subject.verb not in ENV_COMMANDS:
        return None if quiet else f"{subject.verb or 'this'} is not a run, rule wants a schedule"
    if bool(subject.repeats) == want:
        return None
    said = "a repeating schedule" if subject.repeats else "not a repeating schedule"
    return f"this is {said}, rule wants {'one' if want else 'anything else'}"


def _force_miss(want: bool, subject: Subject, quiet: bool) -> str | None:
    wanted = "/stop --force" if want else "a /stop without --force"
    if subject.verb != "stop":
        return None if quiet else f"{subject.verb or 'this'} is not a stop, rule wants {wanted}"
    if bool(subject.force) == want:
        return None
    return (
        f"this is {'/stop --force' if subject.force else 'a /stop without --force'}, "
        f"rule wants {wanted}"
    )


def _nodes(count: int) -> str:
    return f"{count} node{'' if count == 1 else 's'}"


def _size_miss(rule: Rule, subject: Subject) -> list[str]:
    size = subject.size
    misses = []
    # An unknown size (a query, a node group) could be the whole fleet: it counts as large.
    if rule.min_nodes is not None and size is not None and size < rule.min_nodes:
        misses.append(f"target is {_nodes(size)}, rule wants at least {rule.min_nodes}")
    if rule.max_nodes is not None:
        if size is None:
            misses.append(
                f"target size is unknown (counted as large), rule wants at most {rule.max_nodes}"
            )
        elif size > rule.max_nodes:
            misses.append(f"target is {_nodes(size)}, rule wants at most {rule.max_nodes}")
    return misses


def mismatches(rule: Rule, subject: Subject) -> list[str]:
    """Every reason this rule does not match the subject; empty when it matches."""
    misses: list[str | None] = []
    verb = subject.verb
    if rule.commands is not None and verb not in rule.commands:
        misses.append(f"command is {verb or 'empty'}, rule wants {join_or(rule.commands)}")
    # Once the command is wrong, "a stop has no environment" and the like go without saying.
    quiet = bool(misses)
    if rule.environments is not None:
        misses.append(_environment_miss(rule.environments, subject, quiet))
    if rule.node_environments is not None:
        misses.append(
            node_environment_miss(
                rule.node_environments,
                action=rule.action,
                bounded=rule.bounded_by_targets,
                subject=subject,
                quiet=quiet,
            )
        )
    if rule.via is not None:
        misses.append(via_miss(rule.via, subject, quiet))
    if rule.channels is not None and subject.channel_id not in rule.channels:
        misses.append(f"channel is {subject.channel_id}, rule wants {join_or(rule.channels)}")
    if rule.names is not None:
        misses.append(_name_miss(rule.names, subject, quiet))
    if rule.pe_users is not None:
        misses.append(_pe_user_miss(rule.pe_users, subject))
    if rule.noop is not None:
        misses.append(_noop_miss(rule.noop, subject, quiet))
    if rule.force is not None:
        misses.append(_force_miss(rule.force, subject, quiet))
    if rule.repeating is not None:
        misses.append(_repeating_miss(rule.repeating, subject, quiet))
    misses.extend(_size_miss(rule, subject))
    return [m for m in misses if m]


def matches(rule: Rule, subject: Subject) -> bool:
    """Does this rule apply to the subject (requesters and deny lists are checked after)."""
    return not mismatches(rule, subject)


_SOMEONE_ELSE = "one approval from someone other than the requester"

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        name="default: /stop --force",
        commands=("stop",),
        force=True,
        action="approve",
        reason=f"/stop --force needs {_SOMEONE_ELSE}",
    ),
    Rule(
        # A task target grants running tasks on nodes, in PE, to whoever holds it.
        name="default: task target creation",
        commands=("task_target",),
        action="approve",
        reason=f"creating a task target needs {_SOMEONE_ELSE}",
    ),
    Rule(
        # Decided on the nodes reached, not on the environment typed: `-e` names where task
        # code comes from, and --no-enforce-environment lets agents keep their own.
        name="default: enforcing run reaching production*",
        commands=ENV_COMMANDS,
        node_environments=(PRODUCTION_GLOB,),
        noop=False,
        action="approve",
        reason=(
            f"enforcing runs that reach production* nodes (or nodes that count as production) "
            f"need {_SOMEONE_ELSE}"
        ),
    ),
    Rule(
        # A repeating enforcing schedule is a standing permission: it runs again and again,
        # long after anyone looked at it.
        name="default: repeating enforcing schedule",
        commands=ENV_COMMANDS,
        noop=False,
        repeating=True,
        action="approve",
        reason=(
            "a repeating enforcing schedule is a standing permission to change nodes; it needs "
            f"{_SOMEONE_ELSE}"
        ),
    ),
    Rule(
        # Task output can hold anything a job printed; a job someone started outside the bot
        # did not choose to show it in a channel.
        name="default: output of jobs started outside the bot",
        commands=("watch",),
        names=("output",),
        action="deny",
        reason="the task output of jobs started outside the bot stays out of the channel",
    ),
    Rule(
        name="default: everything else runs at once",
        action="run",
        reason="noop runs, runs that reach no production* node and plain stops run at once",
    ),
)

# With `defaults = false`, a request no rule matches is denied: the file is the whole policy.
NO_MATCH = Rule(
    name="default: no rule matched",
    action="deny",
    reason="no rule in the policy file matches this request, and its defaults are switched off",
)
