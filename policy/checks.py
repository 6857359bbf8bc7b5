"""One check per rule key: a TOML value in, the Rule's value out, or Bad with the reason."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from policy import principals
from policy.durations import parse_duration
from policy.model import COMMANDS, ENV_COMMANDS, NAMED_COMMANDS

# Puppet environment names are [a-z0-9_]; task and plan names add "::" between modules.
_ENV_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
_NAME_CHARS = _ENV_CHARS | {":"}
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_PROFILE = re.compile(r"^[A-Za-z0-9*?\[\]!][A-Za-z0-9_.*?\[\]!-]*$")
# An approval is a decision about the fleet as it is now: it may not stay open for ever, and a
# timestamp beyond what a clock can show would break every card that prints it.
MIN_EXPIRY = 10.0
MAX_EXPIRY = 7 * 86400.0


class Bad(Exception):
    """A value that does not fit its key; `value` points at the offending list item."""

    def __init__(self, message: str, value: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.value = value


def strings(value: Any, example: str) -> tuple[str, ...]:
    """A string or a non-empty list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Bad(f"must be a list of strings, e.g. {example}")
    if not value:
        raise Bad("an empty list matches nothing; leave the key out to match any")
    return tuple(value)


def commands(value: Any) -> tuple[str, ...]:
    items = strings(value, '["deploy", "task"]')
    for item in items:
        if item not in COMMANDS:
            close = difflib.get_close_matches(item.lower().replace("-", "_"), COMMANDS, 1, 0.5)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise Bad(
                f'unknown command "{item}"{hint}; the commands are ' + ", ".join(COMMANDS), item
            )
    return items


def _glob(glob: str, chars: set[str], what: str) -> None:
    """Refuse globs that could never match a real name: stray characters, unclosed [."""
    inside = False
    bad: set[str] = set()
    for c in glob:
        if inside:
            if c == "]":
                inside = False
            elif c == "[":
                raise Bad(f'bad glob "{glob}": "[" inside [...]', glob)
            elif c not in chars and c not in "-!":
                bad.add(c)
        elif c == "[":
            inside = True
        elif c == "]":
            raise Bad(f'bad glob "{glob}": "]" without an opening "["', glob)
        elif c not in chars and c not in "*?":
            bad.add(c)
    if bad:
        shown = " ".join(f'"{c}"' for c in sorted(bad))
        allowed = "a-z, 0-9, _" + (", :" if ":" in chars else "")
        raise Bad(
            f'bad glob "{glob}": {shown} cannot appear in {what} (lower case {allowed} '
            "and the glob characters * ? [ ])",
            glob,
        )
    if inside:
        raise Bad(f'bad glob "{glob}": "[" is never closed with "]"', glob)


def environments(value: Any) -> tuple[str, ...]:
    items = strings(value, '["production*"]')
    for item in items:
        # "" is meaningful: a run in the agents' own environments.
        if item:
            _glob(item, _ENV_CHARS, "an environment name")
    return items


def node_environments(value: Any) -> tuple[str, ...]:
    items = strings(value, '["development", "test*"]')
    for item in items:
        if not item:
            raise Bad('"" matches no node: every node is in some environment', item)
        _glob(item, _ENV_CHARS, "an environment name")
    return items


def profiles(value: Any) -> tuple[str, ...]:
    items = strings(value, '["windows", "linux-*"]')
    for item in items:
        if not item or not _PROFILE.fullmatch(item):
            raise Bad(
                f'bad profile name "{item}": connection profiles are named with letters, '
                "digits, '.', '-' and '_' (the glob characters * ? [ ] allowed)",
                item,
            )
    return items


def names(value: Any) -> tuple[str, ...]:
    items = strings(value, '["package", "profile::*"]')
    for item in items:
        if not item:
            raise Bad('an empty name matches nothing; use "*" for any name', item)
        _glob(item, _NAME_CHARS, "a task or plan name")
    return items


def channels(value: Any) -> tuple[str, ...]:
    items = strings(value, '["C0PROD"]')
    for item in items:
        if not _CHANNEL.match(item):
            raise Bad(
                f'"{item}" is not a channel id; use ids like C0PROD (channel details → About, '
                "at the bottom), since channel names change",
                item,
            )
    return items


def pe_users(value: Any) -> tuple[str, ...]:
    """PE logins (globs allowed), as PE's RBAC names them: `["alice", "ops-*"]`."""
    return tuple(v.strip() for v in strings(value, '["alice", "ops-*"]'))


def people(value: Any) -> tuple[str, ...]:
    items = strings(value, '["U012ABC", "@sre-leads"]')
    for item in items:
        problem = principals.problem(item)
        if problem:
            raise Bad(problem, item)
    return items


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Bad(f"must be true or false, not {value!r}")
    return value


def count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"must be a whole number of nodes, not {value!r}")
    if value < 0:
        raise Bad(f"must be 0 or more, not {value}")
    return value


def approvals(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Bad(f"must be a whole number, not {value!r}")
    if value < 1:
        raise Bad(f'must be at least 1 (it is {value}); to let a request run, use action = "run"')
    return value


def expiry(value: Any) -> float:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise Bad(str(exc)) from exc
    if seconds < MIN_EXPIRY:
        raise Bad(f"must be at least 10s (it is {value!r}): nobody can approve that fast")
    if seconds > MAX_EXPIRY:
        raise Bad(
            f"must be at most 7d (it is {value!r}): an approval open longer would judge a "
            "fleet that has changed since"
        )
    return seconds


def reason(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Bad("must be a non-empty string: a sentence shown to people")
    return value.strip()


def conflicts(
    action: str, values: dict[str, Any], raw: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    """(key, message) for keys that contradict the action or can never match the commands."""
    for key in ("approvers", "approvals", "self_approval", "expiry"):
        if key in raw and action != "approve":
            yield (
                key,
                (
                    f'"{key}" applies only when action = "approve", and this rule\'s '
                    f'action is "{action}"'
                ),
            )
    if action == "deny":
        for key in ("requesters", "deny"):
            if key in raw:
                yield (
                    key,
                    (
                        f'"{key}" with action = "deny" changes nothing (everyone is denied); '
                        'to deny some people, use deny = [...] with action "run" or "approve"'
                    ),
                )
    if values.get("bounded_by_targets"):
        if "names" not in raw:
            yield (
                "bounded_by_targets",
                "bounded_by_targets names plans as reaching only their target parameters, so "
                'the rule must name them: add names = ["<plan>", ...]',
            )
        if "commands" in raw and "plan" not in values.get("commands", ()):
            yield (
                "bounded_by_targets",
                'bounded_by_targets applies to plans: add "plan" to commands',
            )
    low, high = values.get("min_nodes"), values.get("max_nodes")
    if low is not None and high is not None and low > high:
        yield "max_nodes", f"max_nodes ({high}) is less than min_nodes ({low}); nothing fits"
    approvers = values.get("approvers", ())
    needed = values.get("approvals", 1)
    if approvers and all(principals.is_user(a) for a in approvers) and needed > len(approvers):
        yield (
            "approvals",
            (
                f"approvals = {needed} but only {len(approvers)} approver"
                f"{'' if len(approvers) == 1 else 's'} named; it could never pass"
            ),
        )
    wanted = values.get("commands")
    if wanted is None:
        return
    never = (
        ("environments", ENV_COMMANDS, "only deploy, task and plan have an environment"),
        ("names", NAMED_COMMANDS, "only task, plan, schedule and watch have a name"),
        ("noop", ENV_COMMANDS, "only deploy, task and plan are runs"),
        ("repeating", ENV_COMMANDS, "only deploy, task and plan can be scheduled"),
        ("node_environments", ENV_COMMANDS, "only deploy, task and plan reach nodes"),
        ("via", ("task",), "only task has --via"),
        ("force", ("stop",), "only stop has --force"),
    )
    for key, fits, why in never:
        if key in raw and not set(wanted) & set(fits):
            yield (
                key,
                (
                    f'"{key}" can never match: {why}, and this rule\'s commands are '
                    + ", ".join(wanted)
                ),
            )
