"""Slack's slash-command text → words: links unwrapped, entities and smart quotes undone, shlex."""

from __future__ import annotations

import re
import shlex

from commands.grammar import Form, q

_SLACK_LINK = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_DOUBLE_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'})
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})
# A curly apostrophe between two letters ("don’t") is punctuation, anywhere else it is a quote.
_SINGLE_QUOTE = re.compile(r"(?<!\w)[\u2018\u2019\u201a\u201b]|[\u2018\u2019\u201a\u201b](?!\w)")


def _decode(text: str) -> str:
    # Links first: Slack sends a typed "<" as "&lt;", so any raw "<...>" is its own markup.
    def unwrap(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        shown = label or target
        return shown.removeprefix("mailto:")

    text = _SLACK_LINK.sub(unwrap, text)
    text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)
    text = text.translate(_DOUBLE_QUOTES).translate(_SPACES)
    return _SINGLE_QUOTE.sub("'", text)


def _unclosed_quote(text: str) -> int | None:
    """Where the quote left open starts, scanning as posix shlex does without escapes."""
    open_at: int | None = None
    for i, char in enumerate(text):
        if open_at is None and char in "'\"":
            open_at = i
        elif open_at is not None and char == text[open_at]:
            open_at = None
    return open_at


def tokenize(text: str, form: Form) -> list[str]:
    """Slack's escaped text → words, shell-style; a backslash is kept as typed (Windows paths)."""
    text = _decode(text)
    start = _unclosed_quote(text)
    if start is not None:
        mark = text[start]
        raise form.error(
            f"The {mark} quote before {q(text[start + 1 :], 30)} is never closed. Close it, "
            "or wrap text that contains an apostrophe in double quotes."
        )
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    lexer.escape = ""
    return list(lexer)
