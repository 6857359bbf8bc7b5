"""From checked field values to the intent: the same words a person would type, through the same
parser (commands.parse_tokens), so a form and its slash command cannot mean different things."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from commands import parse_tokens
from commands.intents import Intent, UsageError
from commands.ptypes import ParamError, coerce_params
from forms import blocks as bk
from forms.ids import Kind
from orchestrator.models import ParamSpec

Errors = dict[str, str]


def parse(
    kind: Kind, tokens: Sequence[str], flag_blocks: Mapping[str, str], fallback: str
) -> Intent | Errors:
    """The intent, or the parser's complaint on the block of the flag it names (else `fallback`)."""
    try:
        return parse_tokens(kind, tokens)
    except UsageError as exc:
        message = bk.clip(exc.message, 300)
        for flag in sorted(flag_blocks, key=len, reverse=True):
            if flag in exc.message:
                return {flag_blocks[flag]: message}
        return {fallback: message}


def check_params(
    raw: Mapping[str, str],
    json_params: Mapping[str, Any],
    specs: Mapping[str, ParamSpec],
    blocks: Mapping[str, str],
    fallback: str,
    *,
    elsewhere: Sequence[str] = (),
) -> Errors:
    """The flow's own typing (coerce_params), so what passes here is what the request sends;
    each problem on its parameter's block."""
    try:
        coerce_params(raw, json_params, specs, elsewhere=elsewhere)
    except ParamError as exc:
        errors: Errors = {}
        for problem in exc.problems:
            name = problem.split("=", 1)[0].split(":", 1)[0].strip()
            block = blocks.get(name, fallback)
            errors.setdefault(block, bk.clip(problem, 300))
        return errors
    return {}


def command_text(kind: Kind, tokens: Sequence[str]) -> str:
    """What a person would type for the same request, e.g. `/task package action=install
    --nodes web01.example.com -e production`; commands.parse reads it back to the same intent."""
    words: list[str] = []
    for token in tokens:
        flag, eq, value = token.partition("=")
        if token.startswith("--") and eq and not value.startswith("-") and value:
            words += [flag, value]
        else:
            words.append(token)
    return f"/{kind} " + shlex.join(words)
