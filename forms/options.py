"""Answers to type-ahead (block_suggestion): at most 100 options, best matches first.

Slack asks as the person types in an external select (the task or plan field, or the node
group field when there are more than 100 groups); the app acks with `{"options": [...]}`
within 3 seconds, so these work on lists the caller already holds (a per-environment cache).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from forms import blocks as bk
from forms.result import NodeGroupChoice
from forms.targets import group_option


def _rank(text: str, query: str) -> int | None:
    """0: starts with the query; 1: a word or ::segment starts with it; 2: contains it."""
    text, query = text.lower(), query.strip().lower()
    if not query or text.startswith(query):
        return 0
    if any(part.startswith(query) for part in text.replace("::", " ").replace("_", " ").split()):
        return 1
    return 2 if query in text else None


def _best(items: Iterable[tuple[str, Any]], query: str) -> list[Any]:
    ranked = [
        (rank, key.lower(), item) for key, item in items if (rank := _rank(key, query)) is not None
    ]
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [item for _, _, item in ranked[: bk.MAX_OPTIONS]]


def suggest(names: Sequence[str], query: str) -> dict[str, Any]:
    """Task or plan names matching what was typed, as the block_suggestion ack body."""
    usable = [n for n in dict.fromkeys(names) if bk.fits_option(n)]
    return {"options": [bk.option(n) for n in _best(((n, n) for n in usable), query)]}


def suggest_groups(groups: Sequence[NodeGroupChoice], query: str) -> dict[str, Any]:
    """Node groups whose name (or id) matches what was typed."""
    found = _best(((f"{g.name} {g.id}", g) for g in groups), query)
    return {"options": [group_option(g) for g in found]}
