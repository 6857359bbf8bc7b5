"""Shared grammar of the slash commands: PE-CLI-style flags → values, help and error helpers."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from commands.intents import UsageError

FlagKind = Literal["switch", "text", "int", "list", "pairs"]

# The orchestrator is a JVM service: a larger number would be refused there with a worse message.
MAX_INT = 2_147_483_647

_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE_NUMBER = re.compile(r"-[0-9.]")
_DASHES = ("\u2014", "\u2013")  # macOS and phones turn a typed "--" into an em or en dash


def q(word: str, limit: int = 40) -> str:
    """A word quoted for a message, shortened so a pasted novel cannot flood the reply."""
    word = word.replace("\n", " ")
    if len(word) > limit:
        word = word[: limit - 1] + "…"
    return f"'{word}'"


def suggest(word: str, choices: Sequence[str]) -> str:
    """` Did you mean 'x'?` when a choice is close to the word, else the empty string."""
    close = difflib.get_close_matches(word[:60].lower(), list(choices), n=1, cutoff=0.6)
    return f" Did you mean {q(close[0])}?" if close else ""


@dataclass(frozen=True)
class Form:
    """Which command form is being parsed, so every error carries the right usage line."""

    command: str
    usage: str

    def error(self, message: str) -> UsageError:
        return UsageError(message, command=self.command, usage=self.usage)


@dataclass(frozen=True)
class Flag:
    """One flag: its spellings (the first is canonical), what it takes, and a line of help."""

    names: tuple[str, ...]
    kind: FlagKind
    help: str
    metavar: str = ""

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def key(self) -> str:
        return self.name.lstrip("-").replace("-", "_")

    @property
    def takes_value(self) -> bool:
        return self.kind != "switch"

    @property
    def display(self) -> str:
        spelled = ", ".join(self.names)
        return f"{spelled} {self.metavar}" if self.metavar else spelled


@dataclass(frozen=True)
class Args:
    """Parsed command text: the bare words in order and the flag values by key."""

    words: tuple[str, ...]
    values: Mapping[str, Any] = field(default_factory=dict)
    spelled: Mapping[str, str] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def flag(self, key: str) -> str:
        """The flag as the person typed it, for messages."""
        return self.spelled.get(key, "--" + key.replace("_", "-"))


def _normalise(name: str) -> str:
    for dash in _DASHES:
        if name.startswith(dash):
            rest = name.lstrip(dash)
            name = ("-" if len(rest) == 1 else "--") + rest
    name = name.lower()
    if name.startswith("--"):
        name = "--" + name[2:].replace("_", "-")
    return name


def _is_flag(token: str) -> bool:
    if token.startswith(_DASHES):
        return len(token) > 1
    return token.startswith("-") and len(token) > 1 and not _NEGATIVE_NUMBER.match(token)


def _lookup(table: Sequence[Flag]) -> dict[str, Flag]:
    return {name: flag for flag in table for name in flag.names}


def _starts_flag(token: str, lookup: Mapping[str, Flag]) -> bool:
    """Whether a token after a value-taking flag is the next flag rather than its value."""
    if not _is_flag(token):
        return False
    name = _normalise(token.partition("=")[0])
    return name in lookup or (name.startswith("--") and name[2:3].isalpha())


def scan(tokens: Sequence[str], table: Sequence[Flag]) -> Iterator[tuple[str, str]]:
    """("word" | "flag", token) pairs, leniently: flag values are skipped, nothing is refused."""
    lookup = _lookup(table)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not _is_flag(token):
            yield "word", token
            continue
        yield "flag", token
        name, eq, _ = token.partition("=")
        flag = lookup.get(_normalise(name))
        value_follows = i < len(tokens) and not _starts_flag(tokens[i], lookup)
        if flag and flag.takes_value and not eq and value_follows:
            i += 1


def wants_help(tokens: Sequence[str], table: Sequence[Flag]) -> bool:
    """`help`, `--help` or `-h` anywhere (but not as a flag's value), or nothing typed at all."""
    if not tokens:
        return True
    return any(
        (kind == "word" and token.lower() == "help")
        or (kind == "flag" and _normalise(token) in ("--help", "-h"))
        for kind, token in scan(tokens, table)
    )


def words(tokens: Sequence[str], table: Sequence[Flag]) -> list[str]:
    """The bare words, leniently, to pick a sub-command before the strict parse."""
    return [token for kind, token in scan(tokens, table) if kind == "word"]


def positive_int(value: str, flag: str, form: Form) -> int:
    if not _DIGITS.fullmatch(value.strip()):
        raise form.error(f"{flag} takes a whole number of 1 or more, not {q(value)}.")
    if len(value.strip()) > 10 or not 0 < int(value.strip()) <= MAX_INT:
        raise form.error(f"{flag} takes a whole number from 1 to {MAX_INT}, not {q(value)}.")
    return int(value.strip())


# Deeper than any real parameter, userdata or PuppetDB query; every later step (the store's
# JSON, the request body, the card) walks the value recursively.
MAX_JSON_DEPTH = 32


def load_json(text: str, what: str, form: Form) -> Any:
    try:
        data = json.loads(text)
    except RecursionError:
        raise form.error(f"{what} is nested too deeply to read as JSON.") from None
    except ValueError as exc:
        raise form.error(f"{what} is not valid JSON ({str(exc)[:80]}).") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise form.error(
            f"{what} is nested more than {MAX_JSON_DEPTH} levels deep; flatten it."
        ) from None
    return data


def _depth(value: Any) -> int:
    """How deep arrays and objects nest (iteratively: the input may be hostile)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _pairs(value: str, flag: str, into: dict[str, Any], form: Form) -> None:
    if value.lstrip().startswith("{"):
        data = load_json(value, flag, form)
        if not isinstance(data, dict):
            raise form.error(f"{flag} takes key=value or a JSON object, not {q(value)}.")
        items = list(data.items())
    else:
        key, eq, val = value.partition("=")
        if not eq or not key.strip():
            raise form.error(f"{flag} takes key=value (or a JSON object), not {q(value)}.")
        # Values typed as key=value stay strings: chat cannot say whether "01" is a number.
        items = [(key.strip(), val)]
    for key, val in items:
        if key in into:
            raise form.error(f"{flag} sets {q(key)} twice; give each key once.")
        into[key] = val


def _store(flag: Flag, value: str, values: dict[str, Any], typed: str, form: Form) -> None:
    if flag.kind in ("text", "int") and flag.key in values:
        raise form.error(f"{typed} is given twice; give it once.")
    if flag.kind == "text":
        values[flag.key] = value
    elif flag.kind == "int":
        values[flag.key] = positive_int(value, flag.name, form)
    elif flag.kind == "list":
        # A dict keeps the order and drops repeats in linear time: node lists can be long, and
        # this runs before the ack.
        items = dict.fromkeys(values.get(flag.key, []))
        items.update(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        values[flag.key] = list(items)
    else:
        _pairs(value, flag.name, values.setdefault(flag.key, {}), form)


def _unknown(name: str, table: Sequence[Flag], form: Form, hints: Mapping[str, str]) -> UsageError:
    normal = _normalise(name)
    if normal in hints:
        return form.error(f"{q(name)} does not apply here: {hints[normal]}")
    known = [n for flag in table for n in flag.names if n.startswith("--")]
    return form.error(f"Unknown flag {q(name)}.{suggest(normal, known)} See /{form.command} help.")


def parse_args(
    tokens: Sequence[str],
    table: Sequence[Flag],
    form: Form,
    hints: Mapping[str, str] | None = None,
) -> Args:
    """Words and flag values; `--flag value` and `--flag=value`; `--` ends the flags."""
    lookup = _lookup(table)
    bare: list[str] = []
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    i, flags_done = 0, False
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if flags_done or not _is_flag(token):
            bare.append(token)
            continue
        if token == "--":
            flags_done = True
            continue
        name, eq, inline = token.partition("=")
        flag = lookup.get(_normalise(name))
        if flag is None:
            raise _unknown(name, table, form, hints or {})
        spelled.setdefault(flag.key, name)
        if not flag.takes_value:
            if eq:
                raise form.error(f"{name} is a switch and takes no value; write just {flag.name}.")
            values[flag.key] = True
            continue
        if eq:
            value = inline
        elif i < len(tokens) and not _starts_flag(tokens[i], lookup):
            value = tokens[i]
            i += 1
        else:
            raise form.error(f"{name} needs a value: {flag.name} {flag.metavar}".rstrip() + ".")
        _store(flag, value, values, name, form)
    return Args(words=tuple(bare), values=values, spelled=spelled)


def only(args: Args, allowed: Sequence[str], table: Sequence[Flag], form: Form, what: str) -> None:
    """Refuse flags of the command that do not belong to this form of it."""
    for key in args.values:
        if key not in allowed:
            names = [f.name for f in table if f.key in allowed]
            hint = suggest(_normalise(args.flag(key)), names)
            raise form.error(f"{q(args.flag(key))} does not apply to {what}.{hint}")
