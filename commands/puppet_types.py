"""Puppet type expressions from task and plan metadata (`Optional[Array[String[1]]]`) → a tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PType:
    """A type reference and its arguments (types, numbers, strings, regexes, hash literals)."""

    name: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Regex:
    """A `/.../` argument of Pattern."""

    source: str


@dataclass(frozen=True)
class HashLiteral:
    """A `{key => type, ...}` argument of Struct."""

    items: tuple[tuple[Any, Any], ...]


class Default:
    """The `default` keyword, as in `Integer[default, 10]`: no bound."""


DEFAULT = Default()
ANY = PType("Any")
MAX_LENGTH = 2000  # longer is not a type anyone wrote by hand; treated as Any

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<regex>/(?:\\.|[^/\\])*/)
    | (?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
    | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    | (?P<name>(?:::)?[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<punct>=>|[\[\]{},])
    )""",
    re.VERBOSE,
)


class _Unreadable(Exception):
    """The type string is not one this reader understands."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Unreadable(text[pos:])
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Unreadable("end")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise _Unreadable(text)

    def items(self, close: str, item: Any) -> list[Any]:
        """Comma-separated items up to `close`, a trailing comma allowed."""
        found: list[Any] = []
        while self.peek() != close:
            found.append(item())
            if self.peek() == ",":
                self.take()
            elif self.peek() != close:
                raise _Unreadable(self.peek())
        self.take()
        return found

    def type(self) -> PType:
        kind, text = self.take()
        if kind != "name" or not text.lstrip(":")[:1].isupper():
            raise _Unreadable(text)
        args: tuple[Any, ...] = ()
        if self.peek() == "[":
            self.take()
            args = tuple(self.items("]", self.value))
        return PType(text.lstrip(":"), args)

    def pair(self) -> tuple[Any, Any]:
        key = self.value()
        self.expect("=>")
        return key, self.value()

    def value(self) -> Any:
        kind, text = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")
        if kind == "name" and text.lstrip(":")[:1].isupper():
            return self.type()
        self.take()
        if kind == "regex":
            return Regex(text[1:-1].replace("\\/", "/"))
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "number":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "name":
            return {"default": DEFAULT, "true": True, "false": False, "undef": None}.get(text, text)
        if text == "{":
            return HashLiteral(tuple(self.items("}", self.pair)))
        raise _Unreadable(text)


def parse_type(text: str) -> PType:
    """The type tree; anything unreadable (or absurdly long) is Any: metadata never crashes us."""
    if len(text) > MAX_LENGTH:
        return ANY
    try:
        reader = _Reader(_tokens(text))
        parsed = reader.type()
        if reader.pos != len(reader.tokens):
            return ANY
        return parsed
    except (_Unreadable, RecursionError, ValueError, OverflowError):
        return ANY
