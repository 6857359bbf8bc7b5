"""Whether a JSON value is an instance of a Puppet data type (task and plan metadata), as
Puppet would judge it; a type this bot does not know fits everything, leaving it to Puppet."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from commands.puppet_types import HashLiteral, PType, Regex

TARGET_SPECS = {"TargetSpec", "Boltlib::TargetSpec"}
_TARGETS = {"Target", "Boltlib::Target"}
_RUBY_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\([zZh])")


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


def type_arg(arg: Any) -> PType:
    # A string where a type is expected is the literal itself: Optional['a'] means Enum['a'].
    if isinstance(arg, PType):
        return arg
    if isinstance(arg, str):
        return PType("Enum", (arg,))
    return PType("Any")


def _element_and_sizes(args: tuple[Any, ...]) -> tuple[PType, tuple[Any, ...]]:
    if args and isinstance(args[0], PType | str):
        return type_arg(args[0]), args[1:]
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
        vtype = type_arg(vtype)
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
    types = [type_arg(a) for a in t.args if isinstance(a, PType | str)]
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
    "Optional": lambda t, v: v is None or not t.args or fits(type_arg(t.args[0]), v),
    "NotUndef": lambda t, v: v is not None and (not t.args or fits(type_arg(t.args[0]), v)),
    "Sensitive": lambda t, v: not t.args or fits(type_arg(t.args[0]), v),
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
        and all(fits(type_arg(t.args[0]), k) for k in v if len(t.args) >= 2)
        and all(fits(type_arg(t.args[1]), x) for x in v.values() if len(t.args) >= 2)
    ),
    "Struct": _struct,
    "Tuple": _tuple,
    "Collection": lambda t, v: isinstance(v, list | dict) and _within(len(v), t.args),
    "Variant": lambda t, v: not t.args or any(fits(type_arg(a), v) for a in t.args),
    **{name: lambda t, v: _target_spec(v) for name in TARGET_SPECS},
    **{name: lambda t, v: isinstance(v, str) and bool(v) for name in _TARGETS},
}


def fits(t: PType, value: Any) -> bool:
    """Whether a JSON value (from --params) is an instance of the type; unknown types fit all."""
    check = _FITS.get(t.name)
    return True if check is None else check(t, value)
