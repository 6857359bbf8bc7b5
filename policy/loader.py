"""Reading policy.toml into a Policy, refusing anything doubtful with the file, line and reason."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from policy import checks
from policy.engine import BUILTIN, Policy
from policy.model import ACTIONS, PolicyError
from policy.rules import DEFAULT_PREFIX, Rule
from policy.source import SourceMap, toml_error_line

TOP_KEYS = ("defaults", "rule")
RULE_KEYS = (
    "name",
    "commands",
    "environments",
    "channels",
    "names",
    "noop",
    "force",
    "repeating",
    "min_nodes",
    "max_nodes",
    "node_environments",
    "via",
    "bounded_by_targets",
    "requesters",
    "pe_users",
    "deny",
    "action",
    "approvers",
    "approvals",
    "self_approval",
    "expiry",
    "reason",
)
# Names people reach for that difflib would not guess.
ALIASES = {
    "required": "approvals",
    "approvals_required": "approvals",
    "expires": "expiry",
    "timeout": "expiry",
    "allow": "requesters",
    "users": "requesters",
    "who": "requesters",
    "self_approve": "self_approval",
    "command": "commands",
    "environment": "environments",
    "channel": "channels",
    "name_globs": "names",
    "task": "names",
    "plan": "names",
    "rules": "rule",
    "node_environment": "node_environments",
    "node_envs": "node_environments",
    "reach": "node_environments",
    "profile": "via",
    "profiles": "via",
    "connections": "via",
    "bounded": "bounded_by_targets",
}


def _suggest(word: str, known: tuple[str, ...]) -> str:
    guess = ALIASES.get(word) if ALIASES.get(word) in known else None
    if guess is None:
        close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return f' (did you mean "{guess}"?)' if guess else ""


class _Reader:
    """Checks one parsed file, raising PolicyError at the first problem with its line."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.where = SourceMap.of(text)

    def fail(self, line: int | None, message: str) -> NoReturn:
        at = f"{self.path} line {line}" if line else self.path
        raise PolicyError(f"{at}: {message}", path=self.path, line=line)

    def policy(self, data: dict[str, Any]) -> Policy:
        for key in data:
            if key not in TOP_KEYS:
                self.fail(
                    self.where.top(key),
                    f'unknown top-level key "{key}"{_suggest(key, TOP_KEYS)}; '
                    "a policy file holds `defaults = true|false` and [[rule]] tables",
                )
        defaults = data.get("defaults", True)
        if not isinstance(defaults, bool):
            self.fail(self.where.top("defaults"), "defaults must be true or false")
        raw_rules = data.get("rule", [])
        if not isinstance(raw_rules, list):
            self.fail(
                self.where.top("rule"),
                "write each rule as a [[rule]] table (double brackets): rules are a list",
            )
        rules: list[Rule] = []
        for index, raw in enumerate(raw_rules):
            if not isinstance(raw, dict):
                self.fail(self.where.rule(index), f"rule #{index + 1} must be a table")
            rule = self.rule(index, raw)
            for earlier in rules:
                if earlier.name == rule.name:
                    self.fail(
                        self.where.key(index, "name"),
                        f'rule name "{rule.name}" is already used by the rule at line '
                        f"{earlier.line}; names must be unique (the audit records them)",
                    )
            rules.append(rule)
        return Policy(rules=tuple(rules), defaults=defaults, source=self.path)

    def rule(self, index: int, raw: dict[str, Any]) -> Rule:
        label = f"rule #{index + 1}"
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            label = f'rule "{name}"'
        for key in raw:
            if key in TOP_KEYS:
                self.fail(
                    self.where.key(index, key),
                    f'{label}: "{key}" is a top-level key; move it above the first [[rule]]',
                )
            if key not in RULE_KEYS:
                self.fail(
                    self.where.key(index, key),
                    f'{label}: unknown key "{key}"{_suggest(key, RULE_KEYS)}',
                )

        def fail(key: str | None, message: str, value: str | None = None) -> NoReturn:
            if key is None:
                line = self.where.rule(index)
            elif value is None:
                line = self.where.key(index, key)
            else:
                line = self.where.value(index, key, value)
            self.fail(line, f"{label}: {message}")

        if "name" not in raw:
            fail(None, 'missing key "name"; every rule needs one, for approvals and the audit')
        if not isinstance(name, str) or not name.strip():
            fail("name", "name must be a non-empty string")
        if name.strip().lower().startswith(DEFAULT_PREFIX.strip()):
            fail("name", f'names starting with "{DEFAULT_PREFIX.strip()}" are kept for defaults')
        if "action" not in raw:
            fail(None, 'missing key "action" (run, deny or approve)')
        action = raw["action"]
        if action not in ACTIONS:
            fail(
                "action",
                f'action must be "run", "deny" or "approve", not {action!r}'
                f"{_suggest(str(action), ACTIONS)}",
            )
        values: dict[str, Any] = {}
        for key, check in CHECKS.items():
            if key in raw:
                try:
                    values[key] = check(raw[key])
                except checks.Bad as bad:
                    fail(key, f"{key}: {bad.message}", bad.value)
        for key, message in checks.conflicts(action, values, raw):
            fail(key, message)
        return Rule(
            name=name.strip(),
            action=action,
            line=self.where.rule(index),
            **values,
        )


CHECKS: dict[str, Callable[[Any], Any]] = {
    "commands": checks.commands,
    "environments": checks.environments,
    "channels": checks.channels,
    "names": checks.names,
    "noop": checks.flag,
    "force": checks.flag,
    "repeating": checks.flag,
    "min_nodes": checks.count,
    "max_nodes": checks.count,
    "node_environments": checks.node_environments,
    "via": checks.profiles,
    "bounded_by_targets": checks.flag,
    "requesters": checks.people,
    "pe_users": checks.pe_users,
    "deny": checks.people,
    "approvers": checks.people,
    "approvals": checks.approvals,
    "self_approval": checks.flag,
    "expiry": checks.expiry,
    "reason": checks.reason,
}


def parse_policy(text: str, path: str = "policy.toml") -> Policy:
    """A Policy from TOML text; `path` is only used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = toml_error_line(str(exc))
        if line is None:
            line, message = max(1, len(text.splitlines())), f"{message} at the end of the file"
        at = f"{path} line {line}"
        raise PolicyError(f"{at}: TOML syntax: {message}", path=path, line=line) from exc
    return _Reader(path, text).policy(data)


def load_policy(path: str | Path) -> Policy:
    """The policy in a TOML file; PolicyError names the file, the line and the reason."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        message = f"{name}: cannot read the policy file: {exc.strerror or exc}"
        raise PolicyError(message, path=name) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyError(
            f"{name} line {line}: not UTF-8 text; save the file as UTF-8", path=name, line=line
        ) from exc
    return parse_policy(text, name)


def default_policy() -> Policy:
    """The built-in defaults alone, for when there is no policy file."""
    return Policy(rules=(), defaults=True, source=BUILTIN)


def policy_from_settings(path: str, *, explicit: bool) -> Policy:
    """The file when it exists; else the defaults, unless POLICY_FILE named it explicitly."""
    if Path(path).exists():
        return load_policy(path)
    if explicit:
        raise PolicyError(
            f"{path}: POLICY_FILE names this file but it does not exist; create it, fix the "
            "path, or unset POLICY_FILE to use the built-in defaults",
            path=path,
        )
    return default_policy()
