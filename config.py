"""Settings from the environment and `.env`, checked once at start, one fix-it line a problem.

The one module that reads the environment. `bot.py` calls `environment()` once and hands the
result to `load()` (the bot) or `load_offline()` (the commands that do not start it); every
other module gets what it needs from the `Settings` it is passed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
_LIFETIME = re.compile(r"^[1-9][0-9]*[ydhms]?$")


class ConfigError(ValueError):
    """The configuration cannot be used: a setting, or a file a setting names (the policy, the
    connection profiles, the PE CA, a token file). Every such error is a subclass, so `bot.py`
    catches this one type; the message is one line naming the setting or file and the fix."""


@dataclass(frozen=True)
class Var:
    """One environment variable: its default and what to tell someone who got it wrong."""

    name: str
    default: str | None
    help: str


VARIABLES: tuple[Var, ...] = (
    Var(
        "SLACK_BOT_TOKEN",
        None,
        "the bot token (xoxb-...) from your Slack app's OAuth & Permissions page",
    ),
    Var(
        "SLACK_SIGNING_SECRET",
        None,
        "HTTP mode: from your Slack app's Basic Information page (App Credentials)",
    ),
    Var(
        "SLACK_APP_TOKEN",
        None,
        "Socket Mode: an app-level token (xapp-...) with connections:write; unset for HTTP mode",
    ),
    Var(
        "SLACK_API_URL",
        DEFAULT_SLACK_API_URL,
        "base URL of the Slack Web API (point it at a proxy or a test double)",
    ),
    Var("PORT", "3000", "HTTP mode: the port to serve /slack/events and /health on"),
    Var(
        "PE_ORCHESTRATOR_URL",
        None,
        "the orchestrator, e.g. https://puppet.example.com:8143 (no /orchestrator/v1)",
    ),
    Var(
        "PE_RBAC_TOKEN",
        None,
        "an RBAC token (`puppet access login --lifetime 1y`, then "
        "`puppet access show`); or use PE_RBAC_TOKEN_FILE",
    ),
    Var("PE_RBAC_TOKEN_FILE", None, "a file holding the RBAC token, e.g. ~/.puppetlabs/token"),
    Var(
        "PE_CA_CERT",
        None,
        "the PE CA certificate, copied from /etc/puppetlabs/puppet/ssl/certs/ca.pem on the primary",
    ),
    Var("PE_CONSOLE_URL", None, "the PE console, e.g. https://puppet.example.com, for job links"),
    Var(
        "PUPPETDB_URL",
        None,
        "PuppetDB, scheme://host:port (default: the orchestrator's host, port 8081), to resolve "
        "which nodes a request reaches; `off` counts every node as production",
    ),
    Var(
        "PE_CLASSIFIER_URL",
        None,
        "the node classifier, scheme://host:port (default: the orchestrator's host, port 4433), "
        "to resolve node groups; `off` counts node groups as production",
    ),
    Var(
        "PE_TIMEOUT", "10", "seconds to wait for one orchestrator, PuppetDB or classifier response"
    ),
    Var("DATABASE_PATH", "./chatops.db", "the SQLite file holding jobs, approvals and audit"),
    Var("POLL_INTERVAL", "5", "seconds between polls of a running job"),
    Var("POLICY_FILE", "policy.toml", "the TOML policy file (safe defaults when absent)"),
    Var(
        "CONNECTIONS_FILE",
        "connections.toml",
        "the TOML file of SSH/WinRM connection profiles for `/task --via <profile>`",
    ),
    Var("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR"),
    Var(
        "PE_IDENTITY",
        "service",
        "`service` (every command runs as the PE_RBAC_TOKEN account) or `person` (each person "
        "signs in with /pe login and commands run as their own PE user)",
    ),
    Var(
        "PE_RBAC_URL",
        None,
        "PE's RBAC service, scheme://host:port (default: the orchestrator's host, port 4433)",
    ),
    Var(
        "PE_TOKEN_LIFETIME",
        "12h",
        "how long a token made by /pe login lasts: a number and y, d, h, m or s, e.g. 12h",
    ),
    Var(
        "TOKEN_ENCRYPTION_KEY",
        None,
        "Fernet key(s), newest first, encrypting people's PE tokens at rest (person mode); "
        "make one with: python -m identity generate-key",
    ),
    Var(
        "TOKEN_ENCRYPTION_KEY_FILE",
        None,
        "a file holding TOKEN_ENCRYPTION_KEY's keys instead (one a line, newest first)",
    ),
)
_BY_NAME = {v.name: v for v in VARIABLES}


@dataclass(frozen=True)
class Settings:
    """Every setting the bot reads, already parsed and checked."""

    slack_bot_token: str
    slack_signing_secret: str | None
    slack_app_token: str | None
    slack_api_url: str
    port: int
    pe_orchestrator_url: str
    pe_rbac_token: str | None
    pe_rbac_token_file: str | None
    pe_ca_cert: str | None
    pe_console_url: str | None
    pe_timeout: float
    # None: resolution is off (every reached node counts as production).
    puppetdb_url: str | None
    pe_classifier_url: str | None
    database_path: str
    poll_interval: float
    policy_file: str
    connections_file: str
    log_level: str
    # POLICY_FILE was set: a missing file is then an error, not the built-in defaults.
    policy_file_explicit: bool = False
    # Issue 15: `service` or `person`; in person mode commands run with the person's PE token.
    pe_identity: str = "service"
    pe_rbac_url: str | None = None
    pe_token_lifetime: str = "12h"
    token_encryption_key: str | None = None
    token_encryption_key_file: str | None = None

    @property
    def person_mode(self) -> bool:
        return self.pe_identity == "person"

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def __repr__(self) -> str:
        # Tokens never appear in logs, so the repr names only what is harmless.
        return (
            f"Settings(mode={'socket' if self.socket_mode else 'http'}, "
            f"orchestrator={self.pe_orchestrator_url!r}, database={self.database_path!r})"
        )


@dataclass(frozen=True)
class OfflineSettings:
    """What the commands that do not start the bot read (`policy check`, `audit`): none of it is
    required, and every value that is set is checked as the bot checks it."""

    database_path: str
    policy_file: str
    policy_file_explicit: bool
    slack_bot_token: str | None
    slack_api_url: str
    # None: PE is not configured (policy check then judges every node as production).
    pe_orchestrator_url: str | None
    pe_rbac_token: str | None
    pe_rbac_token_file: str | None
    pe_ca_cert: str | None
    pe_timeout: float
    puppetdb_url: str | None
    pe_classifier_url: str | None

    def __repr__(self) -> str:
        return (
            f"OfflineSettings(orchestrator={self.pe_orchestrator_url!r}, "
            f"database={self.database_path!r}, policy={self.policy_file!r})"
        )


def environment(env_file: str | None = ".env") -> dict[str, str]:
    """The process environment over the `.env` file (the environment wins, as in python-dotenv)."""
    values = (
        {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        if (env_file and Path(env_file).is_file())
        else {}
    )
    values.update(os.environ)
    return values


def setting(env: Mapping[str, str], name: str) -> str | None:
    """One variable's value, or its default when it is not set (None when it has none)."""
    value = env.get(name, "").strip()
    return value or _BY_NAME[name].default


def _require(env: Mapping[str, str], name: str) -> str:
    value = setting(env, name)
    if not value:
        raise ConfigError(f"{name} is not set: {_BY_NAME[name].help}")
    return value


def _number(env: Mapping[str, str], name: str, *, minimum: float, integer: bool = False) -> float:
    raw = setting(env, name) or ""
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number: {_BY_NAME[name].help}") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}: {_BY_NAME[name].help}")
    return value


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = setting(env, name)
    if value is None:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name}={value!r} is not an http(s) URL: {_BY_NAME[name].help}")
    return value.rstrip("/")


def service_url(
    env: Mapping[str, str], name: str, orchestrator: str | None, port: int
) -> str | None:
    """A PE service's base URL: as set, `off`, or the orchestrator's host on the service's port
    (None when neither is set)."""
    value = (env.get(name) or "").strip()
    if value.lower() == "off":
        return None
    if not value:
        if orchestrator is None:
            return None
        parts = urlsplit(orchestrator)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        return f"{parts.scheme}://{host}:{port}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}={value!r} is not an http(s) base URL: {_BY_NAME[name].help}")
    if parts.path.strip("/") or parts.query or parts.username:
        raise ConfigError(
            f"{name}={value!r} must be scheme://host:port only (the bot adds the API path): "
            f"{_BY_NAME[name].help}"
        )
    return value.rstrip("/")


def _parse(env: Mapping[str, str]) -> dict[str, Any]:
    """Every variable by its field name, checked for shape; one not set is its default or None.
    Raises ConfigError naming the first malformed variable."""
    app_token = setting(env, "SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise ConfigError(
            f"SLACK_APP_TOKEN must start with xapp-: {_BY_NAME['SLACK_APP_TOKEN'].help}"
        )
    level = (setting(env, "LOG_LEVEL") or "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL={level!r}: {_BY_NAME['LOG_LEVEL'].help}")
    orchestrator = _url(env, "PE_ORCHESTRATOR_URL")
    identity = (setting(env, "PE_IDENTITY") or "service").lower()
    if identity not in ("service", "person"):
        raise ConfigError(f"PE_IDENTITY={identity!r}: {_BY_NAME['PE_IDENTITY'].help}")
    lifetime = setting(env, "PE_TOKEN_LIFETIME") or "12h"
    if not _LIFETIME.match(lifetime):
        raise ConfigError(f"PE_TOKEN_LIFETIME={lifetime!r}: {_BY_NAME['PE_TOKEN_LIFETIME'].help}")
    return {
        "slack_bot_token": setting(env, "SLACK_BOT_TOKEN"),
        "slack_signing_secret": setting(env, "SLACK_SIGNING_SECRET"),
        "slack_app_token": app_token,
        "slack_api_url": f"{_url(env, 'SLACK_API_URL')}/",
        "port": int(_number(env, "PORT", minimum=1, integer=True)),
        "pe_orchestrator_url": orchestrator,
        "pe_rbac_token": setting(env, "PE_RBAC_TOKEN"),
        "pe_rbac_token_file": setting(env, "PE_RBAC_TOKEN_FILE"),
        "pe_ca_cert": setting(env, "PE_CA_CERT"),
        "pe_console_url": (setting(env, "PE_CONSOLE_URL") or "").rstrip("/") or None,
        "pe_timeout": _number(env, "PE_TIMEOUT", minimum=0.1),
        "puppetdb_url": service_url(env, "PUPPETDB_URL", orchestrator, 8081),
        "pe_classifier_url": service_url(env, "PE_CLASSIFIER_URL", orchestrator, 4433),
        "database_path": _require(env, "DATABASE_PATH"),
        "poll_interval": _number(env, "POLL_INTERVAL", minimum=0.1),
        "policy_file": _require(env, "POLICY_FILE"),
        "policy_file_explicit": bool(env.get("POLICY_FILE", "").strip()),
        "connections_file": _require(env, "CONNECTIONS_FILE"),
        "log_level": level,
        "pe_identity": identity,
        "pe_rbac_url": service_url(env, "PE_RBAC_URL", orchestrator, 4433),
        "pe_token_lifetime": lifetime,
        "token_encryption_key": setting(env, "TOKEN_ENCRYPTION_KEY"),
        "token_encryption_key_file": setting(env, "TOKEN_ENCRYPTION_KEY_FILE"),
    }


def load(env: Mapping[str, str]) -> Settings:
    """The bot's settings, parsed and checked; raises ConfigError naming the first bad variable."""
    values = _parse(env)
    if not values["slack_app_token"] and not values["slack_signing_secret"]:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set (needed in HTTP mode; set SLACK_APP_TOKEN for "
            f"Socket Mode instead): {_BY_NAME['SLACK_SIGNING_SECRET'].help}"
        )
    if not (values["pe_rbac_token"] or values["pe_rbac_token_file"]):
        raise ConfigError(f"PE_RBAC_TOKEN is not set: {_BY_NAME['PE_RBAC_TOKEN'].help}")
    _require(env, "PE_ORCHESTRATOR_URL")
    _require(env, "SLACK_BOT_TOKEN")
    if values["pe_identity"] == "person":
        if not (values["token_encryption_key"] or values["token_encryption_key_file"]):
            raise ConfigError(
                "PE_IDENTITY=person needs TOKEN_ENCRYPTION_KEY (or TOKEN_ENCRYPTION_KEY_FILE) "
                "to store people's PE tokens encrypted: make one with: "
                "python -m identity generate-key"
            )
        if values["pe_rbac_url"] is None:
            raise ConfigError(
                f"PE_IDENTITY=person needs PE_RBAC_URL: {_BY_NAME['PE_RBAC_URL'].help}"
            )
    return Settings(**values)


def load_offline(env: Mapping[str, str]) -> OfflineSettings:
    """The settings of the commands that do not start the bot: nothing required, every value
    that is set checked; raises ConfigError naming the first malformed variable."""
    values = _parse(env)
    return OfflineSettings(**{f.name: values[f.name] for f in fields(OfflineSettings)})
