"""Task and plan parameters typed from their metadata: `count=3` becomes 3 when declared Integer."""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from commands.puppet_types import HashLiteral, PType, Regex, parse_type
from orchestrator.models import ParamSpec

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_INT64 = (-(2**63), 2**63 - 1)  # Puppet's Integer range
_TARGET_SPECS = {"TargetSpec", "Boltlib::TargetSpec"}
_TARGETS = {"Target", "Boltlib::Target"}
_RUBY_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\([zZh])")
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


def _bounds(args: tuple[Any, ...], start: int = 0) -> tuple[Any, Any]:
    """`[min, max]` arguments from `start`, `default` or absent meaning unbounded."""
    low = args[start] if len(args) > start else None
    high = args[start + 1] if len(args) > start + 1 else None
    numeric = (int, float)
    low = low if isinstance(low, numeric) and not isinstance(low, bool) else None
    high = high if isinstance(high, numeric) and not isinstance(high, bool) else None
    return low, high


def _within(value: float, args: tuple[Any, ...], start: int = 0) -> bool:
    low, high = _bounds(args, start)
    return (low is None or value >= low) and (high is None or value <= high)


def _type_arg(arg: Any) -> PType:
    # A string where a type is expected is the literal itself: Optional['a'] means Enum['a'].
    if isinstance(arg, PType):
        return arg
    if isinstance(arg, str):
        return PType("Enum", (arg,))
    return PType("Any")


def _element_and_sizes(args: tuple[Any, ...]) -> tuple[PType, tuple[Any, ...]]:
    if args and isinstance(args[0], PType | str):
        return _type_arg(args[0]), args[1:]
    return PType("Any"), args


def _enum(t: PType, value: Any) -> bool:
    choices = [a for a in t.args if isinstance(a, str)]
    folded = bool(t.args) and t.args[-1] is True  # Enum[a, b, true] matches case-insensitively
    if not isinstance(value, str):
        return False
    return value.lower() in {c.lower() for c in choices} if folded else value in choices


def _from_ruby(source: str) -> str:
    """Ruby's string anchors in Python's spelling; metadata regexes are written for Ruby."""

    def swap(match: re.Match[str]) -> str:
        escapes, letter = match.group(1), match.group(2)
        return escapes + {"z": r"\Z", "Z": r"(?=\n?\Z)", "h": "[0-9a-fA-F]"}[letter]

    return _RUBY_ESCAPE.sub(swap, source)


def _pattern(t: PType, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    kept = [a for a in t.args if isinstance(a, Regex | str)]
    sources = [a.source if isinstance(a, Regex) else a for a in kept]
    if not sources:
        return True
    for source in sources:
        try:
            if re.search(_from_ruby(source), value):
                return True
        except re.error:
            return True  # a Ruby-only regex we cannot run: leave the check to Puppet
    return False


def _struct(t: PType, value: Any) -> bool:
    if not isinstance(value, dict) or not t.args or not isinstance(t.args[0], HashLiteral):
        return isinstance(value, dict)
    declared: dict[str, tuple[PType, bool]] = {}
    for key, vtype in t.args[0].items:
        optional = isinstance(key, PType) and key.name == "Optional"
        name = key.args[0] if isinstance(key, PType) and key.args else key
        vtype = _type_arg(vtype)
        declared[str(name)] = (vtype, optional or fits(vtype, None))
    if set(value) - set(declared):
        return False
    return all(
        (name in value and fits(vtype, value[name])) or (name not in value and may_omit)
        for name, (vtype, may_omit) in declared.items()
    )


def _tuple(t: PType, value: Any) -> bool:
    if not isinstance(value, list):
        return False
    types = [_type_arg(a) for a in t.args if isinstance(a, PType | str)]
    sizes = tuple(a for a in t.args if not isinstance(a, PType | str))
    low, high = _bounds(sizes)
    # Without sizes a tuple is exactly as long as its types; a minimum alone leaves no maximum.
    low = len(types) if low is None else low
    high = len(types) if high is None and not sizes and types else high
    if len(value) < low or (high is not None and len(value) > high):
        return False
    return not types or all(fits(types[min(i, len(types) - 1)], v) for i, v in enumerate(value))


def _target_spec(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and all(_target_spec(v) for v in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_FITS: dict[str, Callable[[PType, Any], bool]] = {
    "String": lambda t, v: isinstance(v, str) and _within(len(v), t.args),
    "Integer": lambda t, v: isinstance(v, int) and not isinstance(v, bool) and _within(v, t.args),
    "Float": lambda t, v: isinstance(v, float) and math.isfinite(v) and _within(v, t.args),
    "Numeric": lambda t, v: _is_number(v) and _within(v, t.args),
    "Boolean": lambda t, v: isinstance(v, bool),
    "Undef": lambda t, v: v is None,
    "Optional": lambda t, v: v is None or not t.args or fits(_type_arg(t.args[0]), v),
    "NotUndef": lambda t, v: v is not None and (not t.args or fits(_type_arg(t.args[0]), v)),
    "Sensitive": lambda t, v: not t.args or fits(_type_arg(t.args[0]), v),
    "Enum": _enum,
    "Pattern": _pattern,
    "Regexp": lambda t, v: isinstance(v, str),
    "Scalar": lambda t, v: isinstance(v, str | bool) or _is_number(v),
    "ScalarData": lambda t, v: isinstance(v, str | bool) or _is_number(v),
    "Array": lambda t, v: (
        isinstance(v, list)
        and _within(len(v), _element_and_sizes(t.args)[1])
        and all(fits(_element_and_sizes(t.args)[0], x) for x in v)
    ),
    "Hash": lambda t, v: (
        isinstance(v, dict)
        and _within(len(v), t.args, 2 if len(t.args) > 2 else 0)
        and all(fits(_type_arg(t.args[0]), k) for k in v if len(t.args) >= 2)
        and all(fits(_type_arg(t.args[1]), x) for x in v.values() if len(t.args) >= 2)
    ),
    "Struct": _struct,
    "Tuple": _tuple,
    "Collection": lambda t, v: isinstance(v, list | dict) and _within(len(v), t.args),
    "Variant": lambda t, v: not t.args or any(fits(_type_arg(a), v) for a in t.args),
    **{name: lambda t, v: _target_spec(v) for name in _TARGET_SPECS},
    **{name: lambda t, v: isinstance(v, str) and bool(v) for name in _TARGETS},
}


def fits(t: PType, value: Any) -> bool:
    """Whether a JSON value (from --params) is an instance of the type; unknown types fit all."""
    check = _FITS.get(t.name)
    return True if check is None else check(t, value)


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
        value = convert(_type_arg(t.args[0]), raw) if t.args else raw
    elif name == "Variant":
        for arg in t.args:
            try:
                return convert(_type_arg(arg), raw)
            except _Misfit:
                continue
        value = raw
    elif name in ("Array", "Tuple", "Collection"):
        value = _json_or_list(raw)
        if isinstance(value, list) and not raw.lstrip().startswith("["):
            types = [_type_arg(a) for a in t.args if isinstance(a, PType | str)] or [PType("Any")]
            value = [convert(types[min(i, len(types) - 1)], v) for i, v in enumerate(value)]
    elif name in ("Hash", "Struct"):
        value = _json_or_list(raw)
    elif name in _TARGET_SPECS:
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
