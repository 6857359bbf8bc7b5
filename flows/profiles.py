"""SSH/WinRM connection profiles: the `targets` of /command/task, from configuration only.

Passwords and keys are never typed in chat, stored in the database or shown in a message: a
request names a profile, and the targets are built from this file when the request is sent.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """A connection profile is missing or malformed."""


@dataclass(frozen=True)
class Profiles:
    """Named profiles from CONNECTIONS_FILE."""

    profiles: Mapping[str, Mapping[str, Any]]
    source: str = ""

    def names(self) -> list[str]:
        return sorted(self.profiles)

    def check(self, name: str) -> None:
        if name not in self.profiles:
            known = ", ".join(self.names()) or "none are configured"
            raise ProfileError(f"there is no connection profile {name!r} (known: {known})")

    def targets(self, name: str, scope: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
        """The documented `targets` array for the scope's nodes, secrets read now."""
        self.check(name)
        nodes = list(scope.get("nodes") or ())
        if not nodes:
            raise ProfileError("a connection profile needs a node list (--nodes)")
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
        return Path(str(profile[f"{name}-file"])).expanduser().read_text(encoding="utf-8")
    if f"{name}-env" in profile:
        value = os.environ.get(str(profile[f"{name}-env"]))
        if value is None:
            raise ProfileError(f"environment variable {profile[f'{name}-env']} is not set")
        return value
    return None


def _check_profile(name: str, profile: Mapping[str, Any]) -> None:
    allowed = set(PLAIN_KEYS) | {f"{s}-{w}" for s in SECRET_SOURCES for w in ("file", "env")}
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
        raise ProfileError(f"{path}: {exc}") from None
    profiles = data.get("profile") or {}
    for name, profile in profiles.items():
        _check_profile(name, profile)
    return Profiles(profiles, source=path)
