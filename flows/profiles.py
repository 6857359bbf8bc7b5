"""SSH/WinRM connection profiles: the `targets` of /command/task, from configuration only.

Passwords and keys are never typed in chat, stored in the database or shown in a message: a
request names a profile, and the targets are built from this file when the request is sent.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import ConfigError

# Keys of the documented Targets table that a profile may set directly.
PLAIN_KEYS = {
    "user": str,
    "transport": str,
    "port": int,
    "run-as": str,
    "run-as-command": str,
    "connect-timeout": int,
    "tty": bool,
    "tmpdir": str,
    "extensions": str,
}
# Secrets come from a file or an environment variable, never from the profile text itself.
SECRET_SOURCES = {
    "password": "password",
    "private-key": "private-key-content",
    "sudo-password": "sudo-password",
}


class ProfileError(ValueError):
    """A connection profile is missing or malformed, or a target is outside its hosts."""


class ProfileFileError(ProfileError, ConfigError):
    """CONNECTIONS_FILE cannot be used (read at start: the bot does not start)."""


_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def bare_dns_name(name: str) -> bool:
    """Letters, digits, '-' and '.', in labels: no scheme, user, port, path or IP notation."""
    text = name.lower()
    return 0 < len(text) <= 253 and all(_LABEL.match(label) for label in text.split("."))


def host_matches(host: str, pattern: str) -> bool:
    """Lower-cased, label by label; a `*` label matches exactly one label."""
    labels, wanted = host.lower().split("."), pattern.lower().split(".")
    return len(labels) == len(wanted) and all(
        w in ("*", h) for h, w in zip(labels, wanted, strict=True)
    )


def _check_pattern(name: str, pattern: Any) -> None:
    if not isinstance(pattern, str) or not all(
        label == "*" or _LABEL.match(label) for label in pattern.lower().split(".")
    ):
        raise ProfileError(
            f"profile {name!r}: hosts entry {pattern!r} is not a DNS name pattern "
            '(e.g. "*.win.example.com"; a * stands for exactly one whole label)'
        )


@dataclass(frozen=True)
class Profiles:
    """Named profiles from CONNECTIONS_FILE."""

    profiles: Mapping[str, Mapping[str, Any]]
    source: str = ""

    def names(self) -> list[str]:
        return sorted(self.profiles)

    def check(self, name: str, nodes: Sequence[str] | None = None) -> None:
        """The profile exists and every target is one of its hosts; nothing is read."""
        if name not in self.profiles:
            known = ", ".join(self.names()) or "none are configured"
            raise ProfileError(f"there is no connection profile {name!r} (known: {known})")
        if nodes is None:
            return
        if not nodes:
            raise ProfileError("a connection profile needs a node list (--nodes)")
        patterns = self.profiles[name]["hosts"]
        for node in nodes:
            if not bare_dns_name(node):
                raise ProfileError(
                    f"{node!r} is not a bare DNS name (letters, digits, '-' and '.'; no "
                    "scheme, user, port or path), so --via cannot reach it"
                )
            if not any(host_matches(node, p) for p in patterns):
                raise ProfileError(
                    f"{node} is not among the hosts profile {name!r} may reach "
                    f"({', '.join(patterns)}); its credentials are sent nowhere else"
                )

    def targets(self, name: str, scope: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
        """The documented `targets` array for the scope's nodes, secrets read now (and only
        once every node is known to be one of the profile's hosts)."""
        nodes = list(scope.get("nodes") or ())
        self.check(name, nodes)
        profile = self.profiles[name]
        target: dict[str, Any] = {"hostnames": nodes}
        target.update({k: profile[k] for k in PLAIN_KEYS if k in profile})
        for source, key in SECRET_SOURCES.items():
            value = _secret(profile, source)
            if value is not None:
                target[key] = value
        return (target,)


def _secret(profile: Mapping[str, Any], name: str) -> str | None:
    if f"{name}-file" in profile:
        path = Path(str(profile[f"{name}-file"])).expanduser()
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise ProfileError(f"cannot read {name}-file {path}: {reason}") from None
    if f"{name}-env" in profile:
        value = os.environ.get(str(profile[f"{name}-env"]))
        if value is None:
            raise ProfileError(f"environment variable {profile[f'{name}-env']} is not set")
        return value
    return None


def _check_profile(name: str, profile: Any) -> None:
    if not isinstance(profile, Mapping):
        raise ProfileError(f"profile {name!r} must be a table: [profile.{name}]")
    allowed = set(PLAIN_KEYS) | {f"{s}-{w}" for s in SECRET_SOURCES for w in ("file", "env")}
    allowed.add("hosts")
    hosts = profile.get("hosts")
    if not isinstance(hosts, list) or not hosts:
        raise ProfileError(
            f'profile {name!r} has no hosts: add hosts = ["*.example.com", ...], the hosts its '
            "credentials may be sent to"
        )
    for pattern in hosts:
        _check_pattern(name, pattern)
    for key, value in profile.items():
        if key not in allowed:
            raise ProfileError(f"profile {name!r}: unknown key {key!r}")
        if key in PLAIN_KEYS and not isinstance(value, PLAIN_KEYS[key]):
            raise ProfileError(f"profile {name!r}: {key} must be a {PLAIN_KEYS[key].__name__}")
    if profile.get("transport") not in ("ssh", "winrm"):
        raise ProfileError(f"profile {name!r}: transport must be ssh or winrm")
    if "user" not in profile:
        raise ProfileError(f"profile {name!r}: user is required")
    if not any(f"{s}-{w}" in profile for s in ("password", "private-key") for w in ("file", "env")):
        raise ProfileError(f"profile {name!r}: needs password-file/-env or private-key-file/-env")


def load_profiles(path: str) -> Profiles:
    """Profiles from a TOML file of `[profile.<name>]` tables; no file means no profiles."""
    file = Path(path)
    if not file.is_file():
        return Profiles({}, source=path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileFileError(f"{path}: TOML syntax: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileFileError(f"{path}: cannot read it ({exc})") from None
    profiles = data.get("profile") or {}
    if not isinstance(profiles, Mapping):
        raise ProfileFileError(f"{path}: write each profile as a [profile.<name>] table")
    for name, profile in profiles.items():
        try:
            _check_profile(name, profile)
        except ProfileError as exc:
            raise ProfileFileError(f"{path}: {exc}") from None
    return Profiles(profiles, source=path)
