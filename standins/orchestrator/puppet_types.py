"""Puppet data types for task and plan parameters: parse a type expression, check a JSON value."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

_TOKEN = re.compile(
    r"\s*(?:(?P<regex>/(?:[^/\\]|\\.)*/)|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<arrow>=>)|(?P<punct>[\[\],{}])|(?P<word>[A-Za-z_][\w:]*))"
)


class TypeSyntaxError(ValueError):
    """A Puppet type expression that does not parse."""


@dataclass(frozen=True)
class PType:
    name: str
    args: tuple[Any, ...] = ()
    text: str = ""


@lru_cache(maxsize=512)
def parse_type(text: str) -> PType:
    tokens = _tokenize(text)
    ptype, pos = _parse(tokens, 0, text)
    if pos != len(tokens):
        raise TypeSyntaxError(f"unexpected {tokens[pos][1]!r} in type {text!r}")
    return ptype


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise TypeSyntaxError(f"cannot parse type {text!r} at {text[pos:]!r}")
        tokens.append((m.lastgroup or "", m.group(m.lastgroup or 0)))
        pos = m.end()
    return tokens


def _parse(tokens: list[tuple[str, str]], pos: int, text: str) -> tuple[Any, int]:
    if pos >= len(tokens):
        raise TypeSyntaxError(f"type {text!r} ends too early")
    kind, value = tokens[pos]
    if kind == "str":
        return value[1:-1], pos + 1
    if kind == "num":
        return (float(value) if "." in value else int(value)), pos + 1
    if kind == "regex":
        return re.compile(value[1:-1]), pos + 1
    if value == "{":
        return _parse_hash(tokens, pos + 1, text)
    if kind != "word":
        raise TypeSyntaxError(f"unexpected {value!r} in type {text!r}")
    if not value[0].isupper():
        return value, pos + 1  # a bare word: an Enum member or `default`
    start, pos, args = pos, pos + 1, []
    if pos < len(tokens) and tokens[pos][1] == "[":
        pos += 1
        while True:
            arg, pos = _parse(tokens, pos, text)
            args.append(arg)
            if pos < len(tokens) and tokens[pos][1] == ",":
                pos += 1
                continue
            if pos < len(tokens) and tokens[pos][1] == "]":
                pos += 1
                break
            raise TypeSyntaxError(f"expected ',' or ']' in type {text!r}")
    source = "".join(v if k != "punct" or v != "," else ", " for k, v in tokens[start:pos])
    return PType(value, tuple(args), source), pos


def _parse_hash(tokens: list[tuple[str, str]], pos: int, text: str) -> tuple[dict, int]:
    result: dict[str, Any] = {}
    while pos < len(tokens) and tokens[pos][1] != "}":
        key, pos = _parse(tokens, pos, text)
        if pos >= len(tokens) or tokens[pos][0] != "arrow":
            raise TypeSyntaxError(f"expected '=>' in type {text!r}")
        value, pos = _parse(tokens, pos + 1, text)
        if isinstance(key, PType) and key.args:  # Optional['key'] => T: the key may be absent
            key, value = key.args[0], PType("Optional", (value,), f"Optional[{value}]")
        result[key] = value
        if pos < len(tokens) and tokens[pos][1] == ",":
            pos += 1
    return result, pos + 1


def accepts_undef(ptype: PType) -> bool:
    """Whether a parameter of this type may be left out."""
    if ptype.name in ("Optional", "Undef", "Any", "Data", "RichData"):
        return True
    if ptype.name == "Variant":
        return any(isinstance(a, PType) and accepts_undef(a) for a in ptype.args)
    return False


def type_name_of(value: Any) -> str:
    if value is None:
        return "Undef"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    return "Array" if isinstance(value, list) else "Hash"


def mismatch(ptype: PType, value: Any) -> str | None:
    """None when `value` fits `ptype`, else Puppet-style "expects ..., got ..." text."""
    if _fits(ptype, value):
        return None
    return f"expects a value of type {ptype.text or ptype.name}, got {type_name_of(value)}"


def _bounds(args: tuple[Any, ...], value: float) -> bool:
    low = args[0] if args and args[0] != "default" else None
    high = args[1] if len(args) > 1 and args[1] != "default" else None
    return (low is None or value >= low) and (high is None or value <= high)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fits(t: Any, v: Any) -> bool:  # noqa: C901 - one branch per Puppet type
    if not isinstance(t, PType):
        return True
    name, args = t.name, t.args
    if name in ("Any", "Data", "RichData"):
        return True
    if name == "Undef":
        return v is None
    if name == "Optional":
        return v is None or not args or _fits_arg(args[0], v)
    if name == "NotUndef":
        return v is not None and (not args or _fits(args[0], v))
    if name in ("Sensitive", "Target"):
        return (not args or _fits(args[0], v)) if name == "Sensitive" else isinstance(v, str)
    if name == "Boolean":
        return isinstance(v, bool)
    if name == "Integer":
        return _is_int(v) and _bounds(args, v)
    if name == "Float":
        return isinstance(v, float) and _bounds(args, v)
    if name == "Numeric":
        return (_is_int(v) or isinstance(v, float)) and _bounds(args, v)
    if name == "String":
        return isinstance(v, str) and _bounds(args, len(v))
    if name in ("Scalar", "ScalarData"):
        return isinstance(v, str | int | float | bool)
    if name == "Enum":
        return isinstance(v, str) and v in [a for a in args if isinstance(a, str)]
    if name == "Pattern":
        return isinstance(v, str) and any(a.search(v) for a in args if isinstance(a, re.Pattern))
    if name == "Variant":
        return any(_fits_arg(a, v) for a in args)
    if name == "Array":
        return (
            isinstance(v, list)
            and all(_fits_arg(args[0], x) for x in v if args)
            and _bounds(args[1:], len(v))
        )
    if name == "Tuple":
        return isinstance(v, list) and all(_fits_arg(a, x) for a, x in zip(args, v, strict=False))
    if name == "Hash":
        return isinstance(v, Mapping) and (
            len(args) < 2
            or all(_fits_arg(args[0], k) and _fits_arg(args[1], x) for k, x in v.items())
        )
    if name == "Struct":
        return isinstance(v, Mapping) and (not args or _fits_struct(args[0], v))
    if name in ("TargetSpec", "Boltlib::TargetSpec"):
        return isinstance(v, str) or (isinstance(v, list) and all(_fits(t, x) for x in v))
    log.debug("cannot check Puppet type %s; accepting the value", name)
    return True


def _fits_arg(arg: Any, value: Any) -> bool:
    return _fits(arg, value) if isinstance(arg, PType) else True


def _fits_struct(spec: Any, value: Mapping[str, Any]) -> bool:
    if not isinstance(spec, dict):
        return True
    if set(value) - set(spec):
        return False
    return all(
        (key in value and _fits_arg(t, value[key]))
        or (key not in value and isinstance(t, PType) and accepts_undef(t))
        for key, t in spec.items()
    )
