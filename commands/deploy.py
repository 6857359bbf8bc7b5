"""`/deploy <environment> <scope> [options]` → a checked POST /command/deploy request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from commands.flags import DEPLOY
from commands.grammar import Args, Form, parse_args, q
from commands.intents import RunDeploy
from commands.later import later_of
from commands.names import environment
from commands.scope import scope
from commands.usage import form as usage_form
from orchestrator.requests import DeployRequest

# Puppet's `ordering` setting knows only these; anything else fails on every agent.
ORDERINGS = ("manifest", "title-hash", "random")
_SWITCHES = ("debug", "trace", "evaltrace", "use_cached_catalog", "usecacheonfailure")
_NUMBERS = (
    "concurrency",
    "filetimeout",
    "http_connect_timeout",
    "http_keepalive_timeout",
    "http_read_timeout",
)


def _environment(args: Args, form: Form) -> str | None:
    """The environment typed (positional or -e), "" when typed as '', None when left out."""
    named = list(args.words)
    if args.has("environment"):
        if named:
            raise form.error(
                f"The environment is given twice ({q(named[0])} and {args.flag('environment')}); "
                "give it once."
            )
        named = [args.get("environment")]
    if len(named) > 1:
        raise form.error(
            f"Unexpected {q(named[1])} after the environment: nodes go after --nodes "
            "(comma-separated), a description in quotes after --description."
        )
    if not named:
        return None
    return "" if named[0] == "" else environment(named[0], form)


def _enforce(args: Args, env: str | None, form: Form) -> tuple[str, bool | None]:
    """The documented rule: an empty environment needs enforce_environment false."""
    off, on = args.has("no_enforce_environment"), args.has("enforce_environment")
    if off and on:
        raise form.error(
            "--enforce-environment and --no-enforce-environment contradict each other; use one."
        )
    if env:
        return env, False if off else (True if on else None)
    if not off:
        shown = "''" if env == "" else "no environment"
        raise form.error(
            f"Deploying with {shown} needs --no-enforce-environment (each node keeps its own); "
            "otherwise name one, e.g. /deploy production --nodes web01.example.com."
        )
    return "", False


def _tags(args: Args, key: str) -> str | None:
    # The API takes tags as one comma-separated String, like the agent's --tags flag.
    return ",".join(args.get(key)) if args.get(key) else None


def _check_tags(args: Args, form: Form) -> None:
    for key in ("tags", "skip_tags"):
        for tag in args.get(key) or ():
            if not all(c.isalnum() or c in "_:.-" for c in tag) or tag[0] in ":.-":
                raise form.error(
                    f"{q(tag)} is not a Puppet tag: use letters, digits, _, ':', '.' and '-' "
                    f"(e.g. {args.flag(key)} ntp,profile::web)."
                )
        if args.has(key) and not args.get(key):
            raise form.error(f"{args.flag(key)} needs at least one tag, e.g. {args.flag(key)} ntp.")


def parse_deploy(tokens: Sequence[str]) -> RunDeploy:
    """The deploy request, with every documented constraint checked before anything is sent."""
    form = Form("deploy", usage_form("deploy"))
    args = parse_args(tokens, DEPLOY, form)
    env, enforce = _enforce(args, _environment(args, form), form)
    target = scope(args, form)
    if args.has("noop") and args.has("no_noop"):
        raise form.error("--noop and --no-noop contradict each other; use one.")
    ordering = args.get("ordering")
    if ordering is not None and ordering not in ORDERINGS:
        raise form.error(f"--ordering takes manifest, title-hash or random, not {q(ordering)}.")
    _check_tags(args, form)
    fields: dict[str, Any] = {key: True for key in _SWITCHES if args.has(key)}
    fields.update({key: args.get(key) for key in _NUMBERS if args.has(key)})
    request = DeployRequest(
        environment=env,
        scope=target,
        description=args.get("description"),
        enforce_environment=enforce,
        noop=True if args.has("noop") else None,
        no_noop=True if args.has("no_noop") else None,
        ordering=ordering,
        tags=_tags(args, "tags"),
        skip_tags=_tags(args, "skip_tags"),
        userdata=args.get("userdata"),
        **fields,
    )
    return RunDeploy(request, later=later_of(args, form))
