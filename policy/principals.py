"""People in rules: user ids, user group ids and @handles; who is in which, and how to say it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policy.model import GroupResolver, Unresolved

# Slack user ids start with U (W on Enterprise Grid); user group ids with S.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
HANDLE = re.compile(r"^@[a-z0-9][a-z0-9._-]*$", re.IGNORECASE)


def problem(ref: object) -> str | None:
    """Why a string cannot name a person or group in a rule, or None when it can."""
    if not isinstance(ref, str):
        return f"{ref!r} is not a string"
    if USER_ID.match(ref) or GROUP_ID.match(ref) or HANDLE.match(ref):
        return None
    if ref.startswith("<@") or ref.startswith("<!subteam"):
        return f'"{ref}" is Slack markup; write the bare id (U012ABC, S0SRE) or @handle'
    if ref.startswith("@"):
        return f'"{ref}" is not a user group handle (letters, digits, . _ -)'
    return (
        f'"{ref}" is not a user id (U012ABC), a user group id (S0SRE) or a group handle '
        "(@sre-leads); people are named by id because display names change"
    )


def is_user(ref: str) -> bool:
    """A user id rather than a group."""
    return bool(USER_ID.match(ref))


def split(refs: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(users, groups), each in the order written."""
    refs = tuple(refs)
    return tuple(r for r in refs if is_user(r)), tuple(r for r in refs if not is_user(r))


def mention(ref: str) -> str:
    """How Slack shows a user or group: <@U1>, <!subteam^S1>, or the @handle as written."""
    if is_user(ref):
        return f"<@{ref}>"
    if GROUP_ID.match(ref):
        return f"<!subteam^{ref}>"
    return ref


def join_or(items: Sequence[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def who(users: Sequence[str], groups: Sequence[str]) -> str:
    """ "members of @sre-leads or <@U1>": a set of people, for sentences."""
    parts = []
    if groups:
        parts.append("members of " + join_or([mention(g) for g in groups]))
    if users:
        parts.append(join_or([mention(u) for u in users]))
    return " or ".join(parts) if parts else "anyone"


@dataclass(frozen=True)
class Hit:
    """Why a user counts as listed: the ref that named them, and whether it was a guess."""

    ref: str
    unresolved: bool = False


def find(user: str, refs: Iterable[str], groups: GroupResolver) -> Hit | None:
    """The first ref that names this user (directly or through a group), or None."""
    for ref in refs:
        if is_user(ref):
            if ref == user:
                return Hit(ref)
        elif user in groups.members(ref):
            return Hit(ref)
    return None


def find_denied(user: str, refs: Iterable[str], groups: GroupResolver) -> Hit | None:
    """Like find, but a group that could not be looked up counts as containing the user."""
    for ref in refs:
        if is_user(ref):
            if ref == user:
                return Hit(ref)
            continue
        members = groups.members(ref)
        if isinstance(members, Unresolved):
            return Hit(ref, unresolved=True)
        if user in members:
            return Hit(ref)
    return None
