"""Task and plan parameters typed from their metadata: `count=3` becomes 3 when declared Integer.

Whether a value fits a type is commands/fits.py; here typed-in text is converted and checked."""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from commands.fits import TARGET_SPECS, fits, type_arg
from commands.puppet_types import PType, parse_type
from orchestrator.models import ParamSpec

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_INT64 = (-(2**63), 2**63 - 1)  # Puppet's Integer range
UNDEF = "undef"  # the word that gives an Optional parameter no value


class ParamError(ValueError):
    """Parameters do not fit the task's or plan's metadata; `problems` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Misfit(Exception):
    """A raw value cannot be read as the declared type."""


Misfit = _Misfit  # what convert() raises, for callers outside this module (forms/)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_or_list(raw: str) -> Any:
    if raw.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise _Misfit(raw) from None
        if _too_deep(data):
            raise _Misfit(raw)
        return data
    return [] if not raw.strip() else [part.strip() for part in raw.split(",")]


def _number(raw: str, integer: bool) -> int | float:
    text = raw.strip()
    if _INTEGER.fullmatch(text):
        value = int(text)
        if not _INT64[0] <= value <= _INT64[1]:
            raise _Misfit(raw)
        return value
    if integer or not _FLOAT.fullmatch(text) or not math.isfinite(float(text)):
        raise _Misfit(raw)
    return float(text)


def convert(t: PType, raw: str) -> Any:
    """A typed-in string → the value the type declares; raises _Misfit when it cannot be."""
    name = t.name
    value: Any
    if name in ("Integer", "Float", "Numeric"):
        value = _number(raw, integer=name == "Integer")
        value = float(value) if name == "Float" else value
    elif name == "Boolean":
        if raw.strip().lower() not in ("true", "false"):
            raise _Misfit(raw)
        value = raw.strip().lower() == "true"
    elif name in ("Optional", "Undef") and raw.strip() == UNDEF:
        value = None
    elif name in ("Optional", "NotUndef", "Sensitive"):
        value = convert(type_arg(t.args[0]), raw) if t.args else raw
    elif name == "Variant":
        for arg in t.args:
            try:
                return convert(type_arg(arg), raw)
            except _Misfit:
                continue
        value = raw
    elif name in ("Array", "Tuple", "Collection"):
        value = _json_or_list(raw)
        if isinstance(value, list) and not raw.lstrip().startswith("["):
            types = [type_arg(a) for a in t.args if isinstance(a, PType | str)] or [PType("Any")]
            value = [convert(types[min(i, len(types) - 1)], v) for i, v in enumerate(value)]
    elif name in ("Hash", "Struct"):
        value = _json_or_list(raw)
    elif name in TARGET_SPECS:
        names = [part.strip() for part in raw.split(",") if part.strip()]
        value = names if "," in raw else raw.strip()
    else:
        value = raw
    if not fits(t, value):
        raise _Misfit(raw)
    return value


def _fits_safely(t: PType, value: Any) -> bool:
    try:
        return fits(t, value)
    except RecursionError:
        return False


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, default=str)
    except (ValueError, RecursionError):
        return "…"


def _unknown(name: str, specs: Mapping[str, ParamSpec]) -> str:
    close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.6)
    if close:
        return f"{name}: no such parameter (did you mean {close[0]}?)"
    known = ", ".join(sorted(specs)[:12])
    return f"{name}: no such parameter (known: {known})"


def coerce_params(
    raw: Mapping[str, str],
    json_params: Mapping[str, Any],
    specs: Mapping[str, ParamSpec],
    *,
    elsewhere: Collection[str] = (),
) -> dict[str, Any]:
    """Typed parameters, or ParamError listing every problem at once.

    `raw` are name=value strings, converted; `json_params` (from --params) are checked, not
    converted; `elsewhere` names parameters given another way (a plan's query:/node_group:),
    which count as present. With no specs at all (metadata without parameters) nothing is
    known, so everything passes through untyped for the orchestrator to judge.
    """
    problems: list[str] = []
    typed: dict[str, Any] = {}
    for name, value in raw.items():
        if not specs:
            typed[name] = value
        elif name not in specs:
            problems.append(_unknown(name, specs))
        else:
            try:
                typed[name] = convert(parse_type(specs[name].type), value)
            except (_Misfit, RecursionError):
                problems.append(f"{name}={_short(value)}: expected {_short(specs[name].type, 80)}")
    for name, value in json_params.items():
        if name in raw:
            problems.append(f"{name}: given both as {name}=... and in --params")
        elif not specs:
            typed[name] = value
        elif name not in specs:
            problems.append(_unknown(name, specs))
        elif _fits_safely(parse_type(specs[name].type), value):
            typed[name] = value
        else:
            shown = _short(_dumps(value))
            problems.append(f"{name}={shown}: expected {_short(specs[name].type, 80)}")
    problems.extend(_unknown(name, specs) for name in elsewhere if specs and name not in specs)
    given = {*raw, *json_params, *elsewhere}
    problems.extend(
        f"{spec.name}: missing (required, {_short(spec.type, 80)})"
        for spec in specs.values()
        if spec.required and spec.name not in given
    )
    if problems:
        raise ParamError(problems)
    return typed


def _too_deep(value: Any, limit: int = 32) -> bool:
    """Nested deeper than any real parameter (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > limit:
                return True
            stack.extend(
                (c, level + 1) for c in (item.values() if isinstance(item, dict) else item)
            )
    return False
